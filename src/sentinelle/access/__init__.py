"""Access: users, roles and permissions, habilitations and camera scope, sessions, MFA, tokens."""
