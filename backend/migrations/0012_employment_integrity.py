from tortoise import migrations
from tortoise.migrations import operations as ops
from backend.employment.evidence import EvidenceKind
from backend.employment.outcomes import Verification
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0010_job_market')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ClosedClassChange',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('training_class', fields.ForeignKeyField('models.TrainingClass', source_field='training_class_id', db_constraint=True, to_field='id', related_name='closed_changes', on_delete=OnDelete.CASCADE)),
                ('record', fields.ForeignKeyField('models.EmploymentRecord', source_field='record_id', db_constraint=True, to_field='id', related_name='closed_changes', on_delete=OnDelete.CASCADE)),
                ('change', fields.CharField(max_length=16)),
                ('actor', fields.ForeignKeyField('models.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='closed_changes', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'closed_class_change', 'app': 'models', 'pk_attr': 'id', 'table_description': 'An employment fact recorded after the class was closed (结案): an adjustment to review.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='EmploymentEvidence',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('record', fields.ForeignKeyField('models.EmploymentRecord', source_field='record_id', db_constraint=True, to_field='id', related_name='evidence', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='LABOUR_CONTRACT: labour_contract\nOFFER_LETTER: offer_letter\nINSURANCE_RECORD: insurance_record\nBUSINESS_LICENCE: business_licence\nOTHER: other', enum_type=EvidenceKind, max_length=32)),
                ('stored_name', fields.CharField(unique=True, max_length=64)),
                ('original_name', fields.CharField(default='', max_length=200)),
                ('content_type', fields.CharField(max_length=64)),
                ('size', fields.IntField()),
                ('sha256', fields.CharField(max_length=64)),
                ('uploaded_by', fields.ForeignKeyField('models.User', source_field='uploaded_by_id', null=True, db_constraint=True, to_field='id', related_name='evidence_uploads', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'employment_evidence', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A file given as evidence of an employment record, stored under a random name.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='EmploymentRecord',
            name='employer_contact',
            field=fields.CharField(default='', max_length=50),
        ),
        ops.AddField(
            model_name='EmploymentRecord',
            name='employer_phone',
            field=fields.CharField(default='', max_length=20),
        ),
        ops.AddField(
            model_name='EmploymentRecord',
            name='insurance_month',
            field=fields.CharField(default='', max_length=7),
        ),
        ops.AddField(
            model_name='EmploymentRecord',
            name='insurance_record_no',
            field=fields.CharField(default='', max_length=64),
        ),
        ops.AddField(
            model_name='EmploymentRecord',
            name='verification',
            field=fields.CharEnumField(default=Verification.PENDING, description='PENDING: pending\nVERIFIED: verified\nREFUSED: refused', enum_type=Verification, max_length=16),
        ),
        ops.AddField(
            model_name='EmploymentRecord',
            name='verification_method',
            field=fields.CharField(default='', max_length=200),
        ),
        ops.AddField(
            model_name='EmploymentRecord',
            name='verification_reason',
            field=fields.TextField(default='', unique=False),
        ),
        ops.AddField(
            model_name='EmploymentRecord',
            name='verified_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='EmploymentRecord',
            name='verified_by',
            field=fields.ForeignKeyField('models.User', source_field='verified_by_id', null=True, db_constraint=True, to_field='id', related_name='employment_verifications', on_delete=OnDelete.SET_NULL),
        ),
        ops.RemoveField(model_name='EmploymentRecord', name='verified'),
    ]
