"""Monthly updates (月度工作报告): the deadline rules, services, selectors, forms and pages."""
