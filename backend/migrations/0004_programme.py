from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from backend.programme.models import ApplicationStatus, CaseStatus, PlanStatus, Screening
from decimal import Decimal
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0003_outbox_outcomes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CertificationCandidate',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('name', fields.CharField(max_length=50)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='certifications', on_delete=OnDelete.SET_NULL)),
                ('background', fields.CharField(default='', max_length=100)),
                ('screening', fields.CharEnumField(default=Screening.PENDING, description='PENDING: pending\nPASSED: passed\nFAILED: failed', enum_type=Screening, max_length=8)),
                ('screening_note', fields.TextField(default='', unique=False)),
                ('assessment_score', fields.DecimalField(null=True, max_digits=5, decimal_places=1)),
                ('assessment_passed', fields.BooleanField(null=True)),
                ('instructor', fields.ForeignKeyField('models.Instructor', source_field='instructor_id', null=True, db_constraint=True, to_field='id', related_name='certification', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'certification_candidate', 'app': 'models', 'pk_attr': 'id', 'table_description': '第十一条: an instructor-class (师资班) candidate, screened by interview, then trained.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CertificationApplication',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('candidate', fields.ForeignKeyField('models.CertificationCandidate', source_field='candidate_id', db_constraint=True, to_field='id', related_name='applications', on_delete=OnDelete.CASCADE)),
                ('materials', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharEnumField(default=ApplicationStatus.SUBMITTED, description='SUBMITTED: submitted\nAPPROVED: approved\nREJECTED: rejected', enum_type=ApplicationStatus, max_length=10)),
                ('decided_by', fields.ForeignKeyField('models.User', source_field='decided_by_id', null=True, db_constraint=True, to_field='id', related_name='certification_decisions', on_delete=OnDelete.SET_NULL)),
                ('decision_note', fields.TextField(default='', unique=False)),
                ('certificate_no', fields.CharField(null=True, unique=True, max_length=40)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('decided_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'certification_application', 'app': 'models', 'pk_attr': 'id', 'table_description': '第十三条: the application for 师资评选认证 with its materials, decided by HR.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InstitutionPlan',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('institution', fields.ForeignKeyField('models.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name='training_plans', on_delete=OnDelete.CASCADE)),
                ('year', fields.IntField()),
                ('month', fields.IntField(null=True)),
                ('classes_planned', fields.IntField()),
                ('trainees_planned', fields.IntField()),
                ('districts', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('budget', fields.DecimalField(default=Decimal('0'), max_digits=12, decimal_places=2)),
                ('status', fields.CharEnumField(default=PlanStatus.DRAFT, description='DRAFT: draft\nSUBMITTED: submitted', enum_type=PlanStatus, max_length=12)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'institution_plan', 'app': 'models', 'unique_together': (('institution', 'year', 'month'),), 'pk_attr': 'id', 'table_description': '第八条(三): an institution plan for a year (month NULL) or a month of it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IntakeForm',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('enrolment', fields.OneToOneField('models.Enrolment', source_field='enrolment_id', db_constraint=True, to_field='id', related_name='intake', on_delete=OnDelete.CASCADE)),
                ('education_level', fields.CharField(max_length=20)),
                ('knowledge_level', fields.IntField()),
                ('desired_occupations', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('intention', fields.TextField(default='', unique=False)),
                ('obstacles', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('special_needs', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('special_needs_note', fields.TextField(default='', unique=False)),
                ('availability', fields.CharField(default='', max_length=200)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'intake_form', 'app': 'models', 'pk_attr': 'id', 'table_description': '第八条(四) 培训需求分析: what a trainee says before the class starts.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InterviewNote',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('enrolment', fields.ForeignKeyField('models.Enrolment', source_field='enrolment_id', db_constraint=True, to_field='id', related_name='interview_notes', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name='interview_notes', on_delete=OnDelete.SET_NULL)),
                ('note', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'interview_note', 'app': 'models', 'pk_attr': 'id', 'table_description': '第八条(四) 简短面试: a note by the class teacher or an instructor.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ObservationRecord',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('candidate', fields.ForeignKeyField('models.CertificationCandidate', source_field='candidate_id', db_constraint=True, to_field='id', related_name='observations', on_delete=OnDelete.CASCADE)),
                ('training_class', fields.ForeignKeyField('models.TrainingClass', source_field='training_class_id', db_constraint=True, to_field='id', related_name='observations', on_delete=OnDelete.RESTRICT)),
                ('start_date', fields.DateField()),
                ('end_date', fields.DateField()),
                ('observed', fields.TextField(unique=False)),
                ('signed_off_by', fields.ForeignKeyField('models.Instructor', source_field='signed_off_by_id', null=True, db_constraint=True, to_field='id', related_name='observations_signed', on_delete=OnDelete.SET_NULL)),
                ('signed_off_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'observation_record', 'app': 'models', 'pk_attr': 'id', 'table_description': '第十三条 跟班观摩学习记录表: signed off by the lead instructor of the observed class.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PushDayCount',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='push_counts', on_delete=OnDelete.CASCADE)),
                ('day', fields.DateField()),
                ('count', fields.IntField(default=0)),
            ],
            options={'table': 'push_day_count', 'app': 'models', 'unique_together': (('user', 'day'),), 'pk_attr': 'id', 'table_description': 'Pushes sent to one user on one Asia/Shanghai day, for the per-user daily cap.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TypicalCase',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('trainee', fields.ForeignKeyField('models.Trainee', source_field='trainee_id', db_constraint=True, to_field='id', related_name='typical_cases', on_delete=OnDelete.CASCADE)),
                ('institution', fields.ForeignKeyField('models.Institution', source_field='institution_id', null=True, db_constraint=True, to_field='id', related_name='typical_cases', on_delete=OnDelete.SET_NULL)),
                ('title', fields.CharField(max_length=100)),
                ('story', fields.TextField(unique=False)),
                ('category', fields.CharField(default='', max_length=40)),
                ('occupation', fields.CharField(default='', max_length=60)),
                ('district_code', fields.CharField(default='', max_length=6)),
                ('anonymised', fields.BooleanField(default=True)),
                ('consent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('consent_evidence', fields.CharField(default='', max_length=200)),
                ('status', fields.CharEnumField(default=CaseStatus.DRAFT, description='DRAFT: draft\nPUBLISHED: published', enum_type=CaseStatus, max_length=10)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='typical_cases', on_delete=OnDelete.SET_NULL)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'typical_case', 'app': 'models', 'pk_attr': 'id', 'table_description': '第二十六条 典型案例: a success story, anonymised by default, published only with consent.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='ConsentEvent',
            name='paired_event_id',
            field=fields.BigIntField(null=True, unique=True),
        ),
        ops.AddField(
            model_name='HumanTask',
            name='done_by',
            field=fields.ForeignKeyField('models.User', source_field='done_by_id', null=True, db_constraint=True, to_field='id', related_name='tasks_done', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='OutboxMessage',
            name='consent_taken',
            field=fields.BooleanField(default=False),
        ),
        ops.AddField(
            model_name='OutboxMessage',
            name='delivery_reported_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='OutboxMessage',
            name='delivery_status',
            field=fields.CharField(default='', max_length=64),
        ),
        ops.AddField(
            model_name='OutboxMessage',
            name='wechat_msgid',
            field=fields.CharField(null=True, db_index=True, max_length=32),
        ),
    ]
