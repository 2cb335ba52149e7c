"""The audit log (审计日志): who changed what and when, exports and log-ins.

`record()` is the one public way to write an entry by hand (a bulk write the signals do not see, an export);
ordinary saves and deletes of the audited models are recorded by `audit.receivers`.
"""


def record(
    action, obj=None, *, model="", object_id="", object_repr="", changes=None, user=None, request=None
):
    """Write one audit entry and return it.

    action: an `AuditEntry.Action` value ("create", "update", "export" …); obj: the object it is about (its
    model label, pk and str are taken unless model/object_id/object_repr are given); changes: a JSON-able dict,
    e.g. {"导入任务": 42} or {field: [old, new]}; user/request: who and from where — by default the person and
    address of the request being served (audit.middleware) or of `audit.context.acting_as`.
    """
    from .service import write_entry

    return write_entry(
        action,
        obj,
        model=model,
        object_id=object_id,
        object_repr=object_repr,
        changes=changes,
        user=user,
        request=request,
    )
