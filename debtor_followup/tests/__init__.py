from . import test_demo_generator, test_followup_run, test_manual_actions, test_policy, test_promise, test_security
