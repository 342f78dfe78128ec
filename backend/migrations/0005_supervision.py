from tortoise import migrations
from tortoise.migrations import operations as ops
from backend.accounts.models import InstructorStatus
from backend.registers.models import BlacklistKind, InspectionItem, InspectionMode, InstructorActionKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0004_programme')]

    initial = False

    operations = [
        ops.CreateModel(
            name='BlacklistEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharEnumField(description='INSTITUTION: institution\nINSTRUCTOR: instructor\nTRAINEE: trainee', enum_type=BlacklistKind, max_length=16)),
                ('subject_id', fields.IntField()),
                ('subject_name', fields.CharField(max_length=200)),
                ('reason', fields.TextField(unique=False)),
                ('starts_on', fields.DateField()),
                ('ends_on', fields.DateField(null=True)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='blacklist_entries', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('lifted_on', fields.DateField(null=True)),
                ('lifted_by', fields.ForeignKeyField('models.User', source_field='lifted_by_id', null=True, db_constraint=True, to_field='id', related_name='blacklist_lifts', on_delete=OnDelete.SET_NULL)),
                ('lift_reason', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'blacklist_entry', 'app': 'models', 'indexes': [Index(fields=['kind', 'subject_id'])], 'pk_attr': 'id', 'table_description': 'An entry on the job-seeking training blacklist (第二十七条) for a period of days.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Inspection',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('institution', fields.ForeignKeyField('models.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name='inspections', on_delete=OnDelete.RESTRICT)),
                ('training_class', fields.ForeignKeyField('models.TrainingClass', source_field='training_class_id', null=True, db_constraint=True, to_field='id', related_name='inspections', on_delete=OnDelete.SET_NULL)),
                ('mode', fields.CharEnumField(description='OPEN: open\nUNANNOUNCED: unannounced', enum_type=InspectionMode, max_length=16)),
                ('inspected_on', fields.DateField()),
                ('inspector', fields.CharField(max_length=100)),
                ('findings', fields.TextField(default='', unique=False)),
                ('overall_score', fields.DecimalField(max_digits=5, decimal_places=2)),
                ('recorded_by', fields.ForeignKeyField('models.User', source_field='recorded_by_id', null=True, db_constraint=True, to_field='id', related_name='inspections_recorded', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'inspection', 'app': 'models', 'indexes': [Index(fields=['institution_id', 'inspected_on'])], 'pk_attr': 'id', 'table_description': 'An inspection (明察暗访, 第二十八条) of an institution, optionally of one of its classes.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InspectionScore',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('inspection', fields.ForeignKeyField('models.Inspection', source_field='inspection_id', db_constraint=True, to_field='id', related_name='scores', on_delete=OnDelete.CASCADE)),
                ('item', fields.CharEnumField(description='TRAINING_ORGANISATION: training_organisation\nTRAINEE_MANAGEMENT: trainee_management\nTEACHING_DELIVERY: teaching_delivery\nINSTRUCTOR_TEACHING: instructor_teaching\nTRAINEE_SATISFACTION: trainee_satisfaction\nMATERIALS_EQUIPMENT: materials_equipment', enum_type=InspectionItem, max_length=32)),
                ('score', fields.SmallIntField()),
                ('note', fields.CharField(default='', max_length=300)),
            ],
            options={'table': 'inspection_score', 'app': 'models', 'unique_together': (('inspection', 'item'),), 'pk_attr': 'id', 'table_description': 'One checklist item of an inspection, scored from 0 to 100.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InstitutionNotice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('institution', fields.ForeignKeyField('models.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name='notices', on_delete=OnDelete.RESTRICT)),
                ('sequence', fields.IntField()),
                ('reason', fields.TextField(unique=False)),
                ('issued_on', fields.DateField()),
                ('disqualified', fields.BooleanField(default=False)),
                ('issued_by', fields.ForeignKeyField('models.User', source_field='issued_by_id', null=True, db_constraint=True, to_field='id', related_name='notices_issued', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'institution_notice', 'app': 'models', 'unique_together': (('institution', 'sequence'),), 'pk_attr': 'id', 'table_description': 'A written notice (书面通报) from HR to an institution, numbered per institution (第九条).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InstructorAction',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('instructor', fields.ForeignKeyField('models.Instructor', source_field='instructor_id', db_constraint=True, to_field='id', related_name='disciplinary_actions', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='TALK_REMINDER: talk_reminder\nSUSPEND: suspend\nREVOKE: revoke\nREINSTATE: reinstate', enum_type=InstructorActionKind, max_length=16)),
                ('ground', fields.SmallIntField(null=True)),
                ('reason', fields.TextField(unique=False)),
                ('decided_on', fields.DateField()),
                ('status_before', fields.CharEnumField(description='ACTIVE: active\nSUSPENDED: suspended\nREVOKED: revoked', enum_type=InstructorStatus, max_length=16)),
                ('status_after', fields.CharEnumField(description='ACTIVE: active\nSUSPENDED: suspended\nREVOKED: revoked', enum_type=InstructorStatus, max_length=16)),
                ('recorded_by', fields.ForeignKeyField('models.User', source_field='recorded_by_id', null=True, db_constraint=True, to_field='id', related_name='instructor_actions', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'instructor_action', 'app': 'models', 'indexes': [Index(fields=['instructor_id', 'decided_on'])], 'pk_attr': 'id', 'table_description': 'A measure of 第十六条 taken against an instructor, or the end of a suspension.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SessionFeedback',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('models.ClassSession', source_field='session_id', db_constraint=True, to_field='id', related_name='feedback', on_delete=OnDelete.CASCADE)),
                ('trainee', fields.ForeignKeyField('models.Trainee', source_field='trainee_id', db_constraint=True, to_field='id', related_name='session_feedback', on_delete=OnDelete.RESTRICT)),
                ('content_score', fields.SmallIntField()),
                ('instructor_score', fields.SmallIntField()),
                ('organisation_score', fields.SmallIntField()),
                ('comment', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'session_feedback', 'app': 'models', 'unique_together': (('session', 'trainee'),), 'pk_attr': 'id', 'table_description': 'Daily feedback (每日意见): one rating per trainee and session, given once it started.'},
            bases=['Model'],
        ),
    ]
