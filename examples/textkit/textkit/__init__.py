"""textkit: tokenizing, counting and comparing documents."""
