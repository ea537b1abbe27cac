"""Policy versions: the archive of released versions and the comparison between them."""
