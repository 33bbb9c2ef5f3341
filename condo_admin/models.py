"""Every table of condo-admin, imported in one place so the metadata is complete.

Alembic's autogenerate and the schema test compare the migrations against ``Base.metadata`` as
this module leaves it: a new package with tables adds its models module here.
"""

from condo_admin.accounting import models as accounting
from condo_admin.audit import models as audit
from condo_admin.auth import models as auth
from condo_admin.desk import models as desk
from condo_admin.registry import models as registry
from ledger import models as ledger
from ledger.base import Base
from volunteering import models as volunteering

MODEL_MODULES = (ledger, registry, accounting, audit, volunteering, desk, auth)

__all__ = ["MODEL_MODULES", "Base"]
