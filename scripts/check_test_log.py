"""Read an Odoo test log: fail on failed or erroring tests and on any ERROR/CRITICAL line.

Prints Odoo's own counts and, as the very last line, ``N passed, N failed`` (summed over the logs).
Usage: python check_test_log.py LOGFILE [LOGFILE...]
"""

import re
import sys

RESULT = re.compile(r"odoo\.tests\.result: (\d+) failed, (\d+) error\(s\) of (\d+) tests")
BAD_LINE = re.compile(r"^\S+ \S+ \d+ (ERROR|CRITICAL) ")


def main(*paths):
    failed = errors = total = 0
    bad_lines = []
    problems = []
    for path in paths:
        seen_result = False
        log_total = 0
        with open(path, encoding="utf-8", errors="replace") as log:
            for line in log:
                match = RESULT.search(line)
                if match:
                    seen_result = True
                    failed += int(match.group(1))
                    errors += int(match.group(2))
                    log_total += int(match.group(3))
                elif BAD_LINE.match(line):
                    bad_lines.append(line.rstrip())
        total += log_total
        if not seen_result:
            problems.append(f"{path}: Odoo printed no test result: the install failed or no test ran")
        elif log_total == 0:
            problems.append(f"{path}: no test ran")
    if bad_lines:
        problems.append(f"{len(bad_lines)} ERROR/CRITICAL line(s) in the log:")
    for problem in problems:
        print(problem)
    for line in bad_lines[:40]:
        print("  " + line)
    print(f"Odoo: {failed} failed, {errors} error(s) of {total} tests")
    print(f"{total - failed - errors} passed, {failed + errors} failed")
    return 1 if problems or failed or errors else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
