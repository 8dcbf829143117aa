"""briefgen: policy briefs from YAML content to branded PDF and Word documents."""

__version__ = "0.2.0"
