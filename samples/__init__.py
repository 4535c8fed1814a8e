"""The bundled sample plans; installed as the package xlplan._samples."""
