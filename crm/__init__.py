"""The application side, kept apart from the warehouse: users, their data scopes, the
audit log and the secret key live in a small SQLite database (``crm.appdb``) that no
rebuild or import of the warehouse touches. ``crm.web`` puts sign-in in front of the app;
``python -m crm user ...`` manages users from a shell."""
