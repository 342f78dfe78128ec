from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from backend.employment.models import EvidenceKind
from backend.employment.models import Verification
from backend.subsidies.models import SpotCheckResult
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0011_onboarding')]

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
            name='ClosingSnapshot',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('training_class', fields.OneToOneField('models.TrainingClass', source_field='training_class_id', db_constraint=True, to_field='id', related_name='closing_snapshot', on_delete=OnDelete.RESTRICT)),
                ('figures', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('taken_by', fields.ForeignKeyField('models.User', source_field='taken_by_id', null=True, db_constraint=True, to_field='id', related_name='closing_snapshots', on_delete=OnDelete.SET_NULL)),
                ('taken_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('reason', fields.TextField(default='', unique=False)),
            ],
            options={'table': 'closing_snapshot', 'app': 'models', 'pk_attr': 'id', 'table_description': 'The figures of a class frozen when it was closed (结案): counts, rates, tranches.'},
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
        ops.CreateModel(
            name='FraudFinding',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('training_class', fields.OneToOneField('models.TrainingClass', source_field='training_class_id', db_constraint=True, to_field='id', related_name='fraud_finding', on_delete=OnDelete.RESTRICT)),
                ('institution', fields.ForeignKeyField('models.Institution', source_field='institution_id', db_constraint=True, to_field='id', related_name='fraud_findings', on_delete=OnDelete.RESTRICT)),
                ('reason', fields.TextField(unique=False)),
                ('decided_on', fields.DateField()),
                ('disqualified', fields.BooleanField(default=False)),
                ('recorded_by', fields.ForeignKeyField('models.User', source_field='recorded_by_id', null=True, db_constraint=True, to_field='id', related_name='fraud_findings', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'fraud_finding', 'app': 'models', 'pk_attr': 'id', 'table_description': 'A confirmed finding that a class obtained subsidy by fraud, 第九条(二).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Clawback',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('finding', fields.ForeignKeyField('models.FraudFinding', source_field='finding_id', db_constraint=True, to_field='id', related_name='clawbacks', on_delete=OnDelete.CASCADE)),
                ('tranche', fields.IntField()),
                ('paid', fields.DecimalField(max_digits=12, decimal_places=2)),
                ('amount', fields.DecimalField(max_digits=12, decimal_places=2)),
            ],
            options={'table': 'clawback', 'app': 'models', 'unique_together': (('finding', 'tranche'),), 'pk_attr': 'id', 'table_description': 'The amount to recover of one paid tranche after a fraud finding.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SpotCheck',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('training_class', fields.OneToOneField('models.TrainingClass', source_field='training_class_id', db_constraint=True, to_field='id', related_name='spot_check', on_delete=OnDelete.RESTRICT)),
                ('seed', fields.CharField(max_length=32)),
                ('population', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('sample_size', fields.IntField()),
                ('min_items', fields.IntField()),
                ('share', fields.DecimalField(max_digits=5, decimal_places=4)),
                ('drawn_by', fields.ForeignKeyField('models.User', source_field='drawn_by_id', null=True, db_constraint=True, to_field='id', related_name='spot_checks_drawn', on_delete=OnDelete.SET_NULL)),
                ('drawn_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'spot_check', 'app': 'models', 'pk_attr': 'id', 'table_description': "The random sample of a class's employment claims HR checks before the last tranche."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SpotCheckItem',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('spot_check', fields.ForeignKeyField('models.SpotCheck', source_field='spot_check_id', db_constraint=True, to_field='id', related_name='items', on_delete=OnDelete.CASCADE)),
                ('trainee', fields.ForeignKeyField('models.Trainee', source_field='trainee_id', db_constraint=True, to_field='id', related_name='spot_check_items', on_delete=OnDelete.RESTRICT)),
                ('record', fields.ForeignKeyField('models.EmploymentRecord', source_field='record_id', db_constraint=True, to_field='id', related_name='spot_check_items', on_delete=OnDelete.RESTRICT)),
                ('result', fields.CharEnumField(default=SpotCheckResult.PENDING, description='PENDING: pending\nCONFIRMED: confirmed\nREFUSED: refused', enum_type=SpotCheckResult, max_length=16)),
                ('reason', fields.TextField(default='', unique=False)),
                ('checked_by', fields.ForeignKeyField('models.User', source_field='checked_by_id', null=True, db_constraint=True, to_field='id', related_name='spot_check_items_checked', on_delete=OnDelete.SET_NULL)),
                ('checked_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('resolution', fields.TextField(default='', unique=False)),
                ('resolved_by', fields.ForeignKeyField('models.User', source_field='resolved_by_id', null=True, db_constraint=True, to_field='id', related_name='spot_check_items_resolved', on_delete=OnDelete.SET_NULL)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'spot_check_item', 'app': 'models', 'unique_together': (('spot_check', 'trainee'),), 'pk_attr': 'id', 'table_description': 'One sampled claim: HR confirms it or refuses it, and a refusal blocks until resolved.'},
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
