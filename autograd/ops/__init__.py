"""The op families. Each op is one ``Primitive`` (or a composite) and one public function."""
