from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from backend.practice.models import AttemptStatus, InterviewStatus, MaterialKind, QuestionKind
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0013_work_queue')]

    initial = False

    operations = [
        ops.CreateModel(
            name='InterestResult',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('trainee', fields.ForeignKeyField('models.Trainee', source_field='trainee_id', db_constraint=True, to_field='id', related_name='interest_results', on_delete=OnDelete.CASCADE)),
                ('answers', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('scores', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('code', fields.CharField(max_length=3)),
                ('seeded', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'practice_interest_result', 'app': 'models', 'indexes': [Index(fields=['trainee_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'A career-interest self-assessment (RIASEC) of a trainee: answers, scores, code.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Interview',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('trainee', fields.ForeignKeyField('models.Trainee', source_field='trainee_id', db_constraint=True, to_field='id', related_name='interviews', on_delete=OnDelete.CASCADE)),
                ('occupation_code', fields.CharField(max_length=16)),
                ('questions', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharEnumField(default=InterviewStatus.OPEN, description='OPEN: open\nFINISHED: finished', enum_type=InterviewStatus, max_length=16)),
                ('score', fields.SmallIntField(null=True)),
                ('summary', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'practice_interview', 'app': 'models', 'indexes': [Index(fields=['trainee_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'A mock interview: the questions asked and the feedback on the whole session.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InterviewAnswer',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('interview', fields.ForeignKeyField('models.Interview', source_field='interview_id', db_constraint=True, to_field='id', related_name='answers', on_delete=OnDelete.CASCADE)),
                ('question_index', fields.SmallIntField()),
                ('text', fields.TextField(unique=False)),
                ('mode', fields.CharField(max_length=8)),
                ('score', fields.SmallIntField()),
                ('feedback', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'practice_interview_answer', 'app': 'models', 'unique_together': (('interview_id', 'question_index'),), 'pk_attr': 'id', 'table_description': 'One answer of a mock interview with its feedback (model or basic mode).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InterviewReview',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('interview', fields.ForeignKeyField('models.Interview', source_field='interview_id', db_constraint=True, to_field='id', related_name='reviews', on_delete=OnDelete.CASCADE)),
                ('reviewer', fields.ForeignKeyField('models.User', source_field='reviewer_id', db_constraint=True, to_field='id', related_name='interview_reviews', on_delete=OnDelete.CASCADE)),
                ('scores', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('total', fields.SmallIntField()),
                ('comment', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'practice_interview_review', 'app': 'models', 'unique_together': (('interview_id', 'reviewer_id'),), 'pk_attr': 'id', 'table_description': 'An instructor rubric review of a mock interview (one per instructor).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Material',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('models.ClassSession', source_field='session_id', db_constraint=True, to_field='id', related_name='materials', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=100)),
                ('kind', fields.CharEnumField(description='FILE: file\nLINK: link', enum_type=MaterialKind, max_length=8)),
                ('url', fields.CharField(default='', max_length=500)),
                ('content_type', fields.CharField(default='', max_length=100)),
                ('size', fields.IntField(default=0)),
                ('storage_name', fields.CharField(null=True, unique=True, max_length=64)),
                ('original_name', fields.CharField(default='', max_length=200)),
                ('published_by', fields.ForeignKeyField('models.User', source_field='published_by_id', db_constraint=True, to_field='id', related_name='materials', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'practice_material', 'app': 'models', 'indexes': [Index(fields=['session_id', 'created_at'])], 'pk_attr': 'id', 'table_description': 'A course material of a session, published by one of the class instructors.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OnlineTest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('training_class', fields.ForeignKeyField('models.TrainingClass', source_field='training_class_id', db_constraint=True, to_field='id', related_name='online_tests', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=100)),
                ('questions', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('duration_minutes', fields.SmallIntField()),
                ('opens_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('closes_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('max_attempts', fields.SmallIntField(default=1)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', db_constraint=True, to_field='id', related_name='online_tests', on_delete=OnDelete.RESTRICT)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'practice_online_test', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A timed test of a class: a frozen copy of its questions, window and attempts allowed.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OnlineTestAllowance',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('test', fields.ForeignKeyField('models.OnlineTest', source_field='test_id', db_constraint=True, to_field='id', related_name='allowances', on_delete=OnDelete.CASCADE)),
                ('trainee', fields.ForeignKeyField('models.Trainee', source_field='trainee_id', db_constraint=True, to_field='id', related_name='test_allowances', on_delete=OnDelete.CASCADE)),
                ('extra_attempts', fields.SmallIntField(default=0)),
                ('granted_by_id', fields.IntField()),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'practice_test_allowance', 'app': 'models', 'unique_together': (('test_id', 'trainee_id'),), 'pk_attr': 'id', 'table_description': 'Extra attempts an instructor allowed one trainee at a test.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OnlineTestAssessment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('test', fields.ForeignKeyField('models.OnlineTest', source_field='test_id', db_constraint=True, to_field='id', related_name='assessments', on_delete=OnDelete.CASCADE)),
                ('trainee', fields.ForeignKeyField('models.Trainee', source_field='trainee_id', db_constraint=True, to_field='id', related_name='test_assessments', on_delete=OnDelete.CASCADE)),
                ('test_score', fields.DecimalField(max_digits=5, decimal_places=1)),
                ('practical_score', fields.DecimalField(null=True, max_digits=5, decimal_places=1)),
                ('test_weight', fields.DecimalField(max_digits=4, decimal_places=3)),
                ('combined', fields.DecimalField(max_digits=5, decimal_places=1)),
                ('recorded_by_id', fields.IntField()),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'practice_test_assessment', 'app': 'models', 'unique_together': (('test_id', 'trainee_id'),), 'pk_attr': 'id', 'table_description': 'How a test result fed a trainee assessment: parts, weight and the combined score.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OnlineTestAttempt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('test', fields.ForeignKeyField('models.OnlineTest', source_field='test_id', db_constraint=True, to_field='id', related_name='attempts', on_delete=OnDelete.CASCADE)),
                ('trainee', fields.ForeignKeyField('models.Trainee', source_field='trainee_id', db_constraint=True, to_field='id', related_name='test_attempts', on_delete=OnDelete.CASCADE)),
                ('number', fields.SmallIntField()),
                ('status', fields.CharEnumField(default=AttemptStatus.IN_PROGRESS, description='IN_PROGRESS: in_progress\nSUBMITTED: submitted\nGRADED: graded', enum_type=AttemptStatus, max_length=16)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('deadline', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('late', fields.BooleanField(default=False)),
                ('answers', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('item_scores', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('grading', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('score', fields.DecimalField(null=True, max_digits=5, decimal_places=1)),
                ('graded_by_id', fields.IntField(null=True)),
            ],
            options={'table': 'practice_test_attempt', 'app': 'models', 'unique_together': (('test_id', 'trainee_id', 'number'),), 'pk_attr': 'id', 'table_description': 'One attempt of a trainee at a test: answers kept, item scores, total.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='QuestionBank',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title', fields.CharField(max_length=100)),
                ('owner', fields.ForeignKeyField('models.User', source_field='owner_id', db_constraint=True, to_field='id', related_name='question_banks', on_delete=OnDelete.RESTRICT)),
                ('shared', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'practice_question_bank', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A bank of test questions kept by an instructor or HR (HR banks are shared).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='BankQuestion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('bank', fields.ForeignKeyField('models.QuestionBank', source_field='bank_id', db_constraint=True, to_field='id', related_name='questions', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='SINGLE: single\nMULTIPLE: multiple\nTRUE_FALSE: true_false\nSHORT: short', enum_type=QuestionKind, max_length=16)),
                ('stem', fields.TextField(unique=False)),
                ('options', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('answer', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('points', fields.SmallIntField(default=2)),
                ('rubric', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'practice_bank_question', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A question of a bank: stem, options, answer, points and a rubric for short answers.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Resume',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('trainee', fields.OneToOneField('models.Trainee', source_field='trainee_id', db_constraint=True, to_field='id', related_name='resume', on_delete=OnDelete.CASCADE)),
                ('content', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'practice_resume', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The structured résumé a trainee edits (one per trainee).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ResumeAttachment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('application', fields.OneToOneField('models.JobApplication', source_field='application_id', db_constraint=True, to_field='id', related_name='resume_attachment', on_delete=OnDelete.CASCADE)),
                ('content', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'practice_resume_attachment', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The résumé as it was when the trainee attached it to a job application.'},
            bases=['Model'],
        ),
    ]
