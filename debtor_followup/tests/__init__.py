from . import test_demo_generator
from . import test_dispute
from . import test_followup_run
from . import test_manual_actions
from . import test_payment_plan
from . import test_policy
from . import test_promise
from . import test_security
