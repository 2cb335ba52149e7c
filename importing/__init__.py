"""The plan-notice importer: an uploaded notice (.txt / .docx) → text → a parsed notice → a previewed plan with the
coordinator's decisions → the plan, all or nothing (reader, parser, service; forms and views for the import page;
the `import_plan` command)."""
