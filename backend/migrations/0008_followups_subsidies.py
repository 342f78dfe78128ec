from tortoise import migrations
from tortoise.migrations import operations as ops
from backend.followups.models import ServiceKind, Stage
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0007_certificates')]

    initial = False

    operations = [
        ops.CreateModel(
            name='FollowupMilestone',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('training_class', fields.ForeignKeyField('models.TrainingClass', source_field='training_class_id', db_constraint=True, to_field='id', related_name='followup_milestones', on_delete=OnDelete.CASCADE)),
                ('trainee', fields.ForeignKeyField('models.Trainee', source_field='trainee_id', db_constraint=True, to_field='id', related_name='followup_milestones', on_delete=OnDelete.CASCADE)),
                ('stage', fields.CharEnumField(description='WEEK_1: week_1\nMONTH_3: month_3\nMONTH_6: month_6', enum_type=Stage, max_length=8)),
                ('due_date', fields.DateField()),
                ('invited_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'followup_milestone', 'app': 'models', 'unique_together': (('training_class', 'trainee', 'stage'),), 'indexes': [Index(fields=['invited_at', 'due_date']), Index(fields=['trainee_id', 'due_date'])], 'pk_attr': 'id', 'table_description': 'One follow-up point of one trainee of one class, and whether it was invited and answered.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='FollowupService',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('training_class', fields.ForeignKeyField('models.TrainingClass', source_field='training_class_id', db_constraint=True, to_field='id', related_name='followup_services', on_delete=OnDelete.CASCADE)),
                ('trainee', fields.ForeignKeyField('models.Trainee', source_field='trainee_id', db_constraint=True, to_field='id', related_name='followup_services', on_delete=OnDelete.CASCADE)),
                ('instructor', fields.ForeignKeyField('models.Instructor', source_field='instructor_id', null=True, db_constraint=True, to_field='id', related_name='followup_services', on_delete=OnDelete.SET_NULL)),
                ('recorded_by', fields.ForeignKeyField('models.User', source_field='recorded_by_id', null=True, db_constraint=True, to_field='id', related_name='followup_services', on_delete=OnDelete.SET_NULL)),
                ('kind', fields.CharEnumField(description='PHONE_CALL: phone_call\nJOB_PUSH: job_push\nINDIVIDUAL_GUIDANCE: individual_guidance\nSMALL_LECTURE: small_lecture\nMATCHING_FAIR: matching_fair\nHOME_VISIT: home_visit', enum_type=ServiceKind, max_length=24)),
                ('stage', fields.CharField(max_length=16)),
                ('served_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('notes', fields.TextField(default='', unique=False)),
                ('outcome', fields.TextField(default='', unique=False)),
                ('task_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'followup_service', 'app': 'models', 'indexes': [Index(fields=['training_class_id', 'trainee_id'])], 'pk_attr': 'id', 'table_description': 'A follow-up service given to a trainee (第二十五条): a call, a job push, a visit.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SurveyResponse',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('milestone', fields.OneToOneField('models.FollowupMilestone', source_field='milestone_id', db_constraint=True, to_field='id', related_name='response', on_delete=OnDelete.CASCADE)),
                ('trainee', fields.ForeignKeyField('models.Trainee', source_field='trainee_id', db_constraint=True, to_field='id', related_name='survey_responses', on_delete=OnDelete.CASCADE)),
                ('employment_status', fields.CharField(max_length=16)),
                ('employer', fields.CharField(default='', max_length=200)),
                ('position', fields.CharField(default='', max_length=100)),
                ('start_date', fields.DateField(null=True)),
                ('satisfaction', fields.SmallIntField()),
                ('help_needed', fields.TextField(default='', unique=False)),
                ('employment_record_id', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'survey_response', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A trainee answer to the survey of one milestone (one answer per milestone).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TranchePayment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('training_class', fields.ForeignKeyField('models.TrainingClass', source_field='training_class_id', db_constraint=True, to_field='id', related_name='tranche_payments', on_delete=OnDelete.RESTRICT)),
                ('tranche', fields.IntField()),
                ('amount', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('reference', fields.CharField(default='', max_length=100)),
                ('paid_by', fields.ForeignKeyField('models.User', source_field='paid_by_id', null=True, db_constraint=True, to_field='id', related_name='tranche_payments', on_delete=OnDelete.SET_NULL)),
                ('paid_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'tranche_payment', 'app': 'models', 'unique_together': (('training_class', 'tranche'),), 'pk_attr': 'id', 'table_description': 'One paid tranche of a class subsidy: once per class and tranche.'},
            bases=['Model'],
        ),
    ]
