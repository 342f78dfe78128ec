from tortoise import migrations
from tortoise.migrations import operations as ops
from backend.classes.models import LeaveStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CalendarDay',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('day', fields.DateField(unique=True)),
                ('is_workday', fields.BooleanField()),
                ('name', fields.CharField(default='', max_length=50)),
            ],
            options={'table': 'calendar_day', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A day that differs from the Monday–Friday rule: a holiday, or a weekend working day.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CalendarYear',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('year', fields.IntField(unique=True)),
                ('note', fields.CharField(default='', max_length=200)),
                ('entered_by', fields.ForeignKeyField('models.User', source_field='entered_by_id', null=True, db_constraint=True, to_field='id', related_name='calendar_years', on_delete=OnDelete.SET_NULL)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'calendar_year', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A year whose holidays and adjusted working days (调休) HR has entered in full.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InstructorLeave',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('models.ClassSession', source_field='session_id', db_constraint=True, to_field='id', related_name='leaves', on_delete=OnDelete.CASCADE)),
                ('instructor', fields.ForeignKeyField('models.Instructor', source_field='instructor_id', db_constraint=True, to_field='id', related_name='leaves', on_delete=OnDelete.RESTRICT)),
                ('substitute', fields.ForeignKeyField('models.Instructor', source_field='substitute_id', null=True, db_constraint=True, to_field='id', related_name='substitutions', on_delete=OnDelete.RESTRICT)),
                ('reason', fields.TextField(unique=False)),
                ('status', fields.CharEnumField(default=LeaveStatus.REQUESTED, description='REQUESTED: requested\nAPPROVED: approved\nREJECTED: rejected', enum_type=LeaveStatus, max_length=9)),
                ('requested_by', fields.ForeignKeyField('models.User', source_field='requested_by_id', null=True, db_constraint=True, to_field='id', related_name='leave_requests', on_delete=OnDelete.SET_NULL)),
                ('decided_by', fields.ForeignKeyField('models.User', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name='leave_decisions', on_delete=OnDelete.SET_NULL)),
                ('decision_note', fields.TextField(default='', unique=False)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'instructor_leave', 'app': 'models', 'pk_attr': 'id', 'table_description': '第十九条: an instructor asks HR for leave before the session, HR names a substitute.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='SessionInstructor',
            name='committed',
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name='SessionInstructor',
            name='ends_at',
            field=fields.DatetimeField(auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='SessionInstructor',
            name='starts_at',
            field=fields.DatetimeField(auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name='SessionInstructor',
            index=Index(fields=['instructor_id', 'committed', 'starts_at']),
        ),
    ]
