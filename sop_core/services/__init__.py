"""The service layer: one function per user action, the only door pages and the command
line go through to change or show a company's plans.

Each action takes the acting person, checks the right, runs in one transaction, writes
its audit rows and returns what the caller shows. A rule that decides what a plan is (the
time fence) is applied here, once, so that what a page shows, what the store keeps and
what an export writes cannot differ.

- ``plans``  the one fenced solve of any shown or stored plan; keeping a what-if and
  saving a scenario store the KPIs of exactly that plan
"""
