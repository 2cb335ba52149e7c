"""What `units` announces for other apps to act on; `units` itself imports no other app.

password_was_reset: a coordinator has reset a unit user's password (units/views.py, inside the reset's
transaction). Arguments: sender (the user model), user (whose password), request, how ("临时密码" for a generated
one, "指定密码" for one typed twice). The audit log records it (audit/receivers.py).

dual_role_flagged: a coordinator is also a member (reporter or approver) of units (units/admin.py): separation of
duties warns. Arguments: sender (the user model), user (who holds both roles), request, units (their names joined
with 、). The audit log records it as an update with a 职责分离警告 note.

account_changed: a coordinator created or deactivated a unit user's account (units/accounts.py, inside its
transaction). Arguments: sender (the user model), user (whose account), request, how (what happened, e.g.
"新建账号：东昌府区 · 联络员" or "停用账号"). The audit log records it; never a password.
"""

from django.dispatch import Signal

password_was_reset = Signal()
dual_role_flagged = Signal()
account_changed = Signal()
