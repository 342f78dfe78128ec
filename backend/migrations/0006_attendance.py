from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from backend.attendance.models import Mark, Review
from backend.attendance.qr import Purpose
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0005_supervision')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AttendanceMark',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('models.ClassSession', source_field='session_id', db_constraint=True, to_field='id', related_name='attendance_marks', on_delete=OnDelete.CASCADE)),
                ('trainee', fields.ForeignKeyField('models.Trainee', source_field='trainee_id', db_constraint=True, to_field='id', related_name='attendance_marks', on_delete=OnDelete.RESTRICT)),
                ('mark', fields.CharEnumField(description='PRESENT: present\nLATE: late\nABSENT: absent\nEXCUSED: excused', enum_type=Mark, max_length=16)),
                ('reason', fields.CharField(default='', max_length=500)),
                ('marked_by', fields.ForeignKeyField('models.User', source_field='marked_by_id', null=True, db_constraint=True, to_field='id', related_name='attendance_marks', on_delete=OnDelete.SET_NULL)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'attendance_mark', 'app': 'models', 'unique_together': (('session', 'trainee'),), 'pk_attr': 'id', 'table_description': 'A mark set by the class teacher for a trainee in a session: it wins over any scan.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Checkin',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('scanned_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('late', fields.BooleanField(default=False)),
                ('minutes_late', fields.IntField(default=0)),
                ('ip', fields.CharField(default='', max_length=64)),
                ('user_agent', fields.CharField(default='', max_length=300)),
                ('device_id', fields.CharField(default='', db_index=True, max_length=64)),
                ('device_model', fields.CharField(default='', max_length=100)),
                ('latitude', fields.FloatField(null=True)),
                ('longitude', fields.FloatField(null=True)),
                ('accuracy_m', fields.FloatField(null=True)),
                ('distance_m', fields.FloatField(null=True)),
                ('flags', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('session', fields.ForeignKeyField('models.ClassSession', source_field='session_id', db_constraint=True, to_field='id', related_name='checkins', on_delete=OnDelete.CASCADE)),
                ('trainee', fields.ForeignKeyField('models.Trainee', source_field='trainee_id', db_constraint=True, to_field='id', related_name='checkins', on_delete=OnDelete.RESTRICT)),
                ('purpose', fields.CharEnumField(description='IN: in\nOUT: out', enum_type=Purpose, max_length=8)),
                ('review', fields.CharEnumField(default=Review.PENDING, description='PENDING: pending\nCONFIRMED: confirmed\nREJECTED: rejected', enum_type=Review, max_length=16)),
                ('reviewed_by', fields.ForeignKeyField('models.User', source_field='reviewed_by_id', null=True, db_constraint=True, to_field='id', related_name='checkins_reviewed', on_delete=OnDelete.SET_NULL)),
                ('reviewed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'attendance_checkin', 'app': 'models', 'unique_together': (('session', 'trainee', 'purpose'),), 'pk_attr': 'id', 'table_description': 'One scan by a trainee: one per session, trainee and purpose (repeats are no-ops).'},
            bases=['ScanSignals'],
        ),
        ops.CreateModel(
            name='AttendanceChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('models.ClassSession', source_field='session_id', db_constraint=True, to_field='id', related_name='attendance_changes', on_delete=OnDelete.CASCADE)),
                ('trainee', fields.ForeignKeyField('models.Trainee', source_field='trainee_id', db_constraint=True, to_field='id', related_name='attendance_changes', on_delete=OnDelete.RESTRICT)),
                ('checkin', fields.ForeignKeyField('models.Checkin', source_field='checkin_id', null=True, db_constraint=True, to_field='id', related_name='changes', on_delete=OnDelete.SET_NULL)),
                ('action', fields.CharField(max_length=20)),
                ('from_status', fields.CharField(max_length=20)),
                ('from_review', fields.CharField(max_length=20)),
                ('to_status', fields.CharField(max_length=20)),
                ('to_review', fields.CharField(max_length=20)),
                ('reason', fields.CharField(default='', max_length=500)),
                ('actor', fields.ForeignKeyField('models.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='attendance_changes', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'attendance_change', 'app': 'models', 'indexes': [Index(fields=['session_id', 'trainee_id'])], 'pk_attr': 'id', 'table_description': 'Every change a person makes to attendance: who, when, from what, to what and why.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InstructorSignIn',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('scanned_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('late', fields.BooleanField(default=False)),
                ('minutes_late', fields.IntField(default=0)),
                ('ip', fields.CharField(default='', max_length=64)),
                ('user_agent', fields.CharField(default='', max_length=300)),
                ('device_id', fields.CharField(default='', db_index=True, max_length=64)),
                ('device_model', fields.CharField(default='', max_length=100)),
                ('latitude', fields.FloatField(null=True)),
                ('longitude', fields.FloatField(null=True)),
                ('accuracy_m', fields.FloatField(null=True)),
                ('distance_m', fields.FloatField(null=True)),
                ('flags', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('session', fields.ForeignKeyField('models.ClassSession', source_field='session_id', db_constraint=True, to_field='id', related_name='instructor_sign_ins', on_delete=OnDelete.CASCADE)),
                ('instructor', fields.ForeignKeyField('models.Instructor', source_field='instructor_id', db_constraint=True, to_field='id', related_name='sign_ins', on_delete=OnDelete.RESTRICT)),
                ('purpose', fields.CharEnumField(description='IN: in\nOUT: out', enum_type=Purpose, max_length=8)),
            ],
            options={'table': 'attendance_instructor_sign_in', 'app': 'models', 'unique_together': (('session', 'instructor', 'purpose'),), 'pk_attr': 'id', 'table_description': '第十九条: an instructor signs in to an own session, proving no private substitution.'},
            bases=['ScanSignals'],
        ),
    ]
