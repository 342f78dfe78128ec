from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from backend.accounts.models import InstitutionStatus
from backend.instructor_registry.models import AssignmentAnswer
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0010_job_market')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CalendarYearVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('year', fields.IntField()),
                ('version', fields.IntField()),
                ('holidays', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('workdays', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('working_days', fields.IntField(null=True)),
                ('note', fields.CharField(default='', max_length=200)),
                ('entered_by', fields.ForeignKeyField('models.User', source_field='entered_by_id', null=True, db_constraint=True, to_field='id', related_name='calendar_versions', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'calendar_year_version', 'app': 'models', 'unique_together': (('year', 'version'),), 'pk_attr': 'id', 'table_description': 'Each complete entry of a year HR saved, kept when a later one replaces it'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InstitutionProfile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('institution', fields.OneToOneField('models.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name='profile', on_delete=OnDelete.CASCADE)),
                ('address', fields.CharField(default='', max_length=300)),
                ('contact_phone_enc', fields.TextField(null=True, unique=False)),
                ('contact_phone_hash', fields.CharField(null=True, db_index=True, max_length=64)),
                ('team_lead_name', fields.CharField(default='', max_length=50)),
                ('team_lead_years', fields.IntField(default=0)),
                ('facilities', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('qualifications', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('contract_no', fields.CharField(default='', max_length=60)),
                ('contract_start', fields.DateField(null=True)),
                ('contract_end', fields.DateField(null=True)),
                ('contract_amount', fields.DecimalField(null=True, max_digits=12, decimal_places=2)),
                ('status_reason', fields.TextField(default='', unique=False)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='institutions_registered', on_delete=OnDelete.SET_NULL)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'institution_profile', 'app': 'models', 'pk_attr': 'id', 'table_description': 'Registry details of an institution: qualifications, team lead, contract'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InstructorAssignment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('instructor', fields.ForeignKeyField('models.Instructor', source_field='instructor_id', db_constraint=True, to_field='id', related_name='assignments', on_delete=OnDelete.CASCADE)),
                ('training_class', fields.ForeignKeyField('models.TrainingClass', source_field='training_class_id', null=True, db_constraint=True, to_field='id', related_name='instructor_requests', on_delete=OnDelete.SET_NULL)),
                ('request', fields.CharField(max_length=300)),
                ('requested_on', fields.DateField()),
                ('requested_by', fields.ForeignKeyField('models.User', source_field='requested_by_id', null=True, db_constraint=True, to_field='id', related_name='assignment_requests', on_delete=OnDelete.SET_NULL)),
                ('answer', fields.CharEnumField(default=AssignmentAnswer.PENDING, description='PENDING: pending\nACCEPTED: accepted\nREFUSED: refused', enum_type=AssignmentAnswer, max_length=10)),
                ('answered_on', fields.DateField(null=True)),
                ('refusal_reason', fields.CharField(default='', max_length=300)),
                ('recorded_by', fields.ForeignKeyField('models.User', source_field='recorded_by_id', null=True, db_constraint=True, to_field='id', related_name='assignment_answers', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'instructor_assignment', 'app': 'models', 'indexes': [Index(fields=['instructor_id', 'requested_on'])], 'pk_attr': 'id', 'table_description': 'An HR assignment request (调配) to an instructor and the answer, 第十六条(四)'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InstructorProfile',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('instructor', fields.OneToOneField('models.Instructor', source_field='instructor_id', db_constraint=True, to_field='id', related_name='profile', on_delete=OnDelete.CASCADE)),
                ('organisation', fields.CharField(default='', max_length=200)),
                ('qualifications', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('specialities', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('certificate_date', fields.DateField(null=True)),
                ('bio', fields.TextField(default='', unique=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'instructor_profile', 'app': 'models', 'pk_attr': 'id', 'table_description': "An instructor's registry profile"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InstructorTraining',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('instructor', fields.ForeignKeyField('models.Instructor', source_field='instructor_id', db_constraint=True, to_field='id', related_name='trainings', on_delete=OnDelete.CASCADE)),
                ('year', fields.IntField()),
                ('title', fields.CharField(max_length=200)),
                ('trained_on', fields.DateField()),
                ('hours', fields.DecimalField(max_digits=5, decimal_places=1)),
                ('recorded_by', fields.ForeignKeyField('models.User', source_field='recorded_by_id', null=True, db_constraint=True, to_field='id', related_name='instructor_trainings', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'instructor_training', 'app': 'models', 'indexes': [Index(fields=['instructor_id', 'year'])], 'pk_attr': 'id', 'table_description': 'Training an instructor attended in a year, 第二十六条 师资培养'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Enrolment',
            name='withdraw_note',
            field=fields.CharField(default='', max_length=300),
        ),
        ops.AddField(
            model_name='Enrolment',
            name='withdraw_reason',
            field=fields.CharField(default='', max_length=20),
        ),
        ops.AddField(
            model_name='Enrolment',
            name='withdrawn_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Enrolment',
            name='withdrawn_by',
            field=fields.ForeignKeyField('models.User', source_field='withdrawn_by_id', null=True, db_constraint=True, to_field='id', related_name='withdrawals', on_delete=OnDelete.SET_NULL),
        ),
        ops.AlterField(
            model_name='Institution',
            name='status',
            field=fields.CharEnumField(default=InstitutionStatus.ACTIVE, description='ACTIVE: active\nSUSPENDED: suspended\nDISQUALIFIED: disqualified', enum_type=InstitutionStatus, max_length=12),
        ),
        ops.AddField(
            model_name='Invitation',
            name='invitee_name',
            field=fields.CharField(default='', max_length=50),
        ),
    ]
