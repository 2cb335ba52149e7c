"""Operations: backup and restore of the whole site (every row and MEDIA_ROOT in one checksummed .tar.gz; the
`backup` and `restore` commands; docs/OPERATIONS.md)."""
