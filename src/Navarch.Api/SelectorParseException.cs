namespace Navarch.Api;

/// <summary>
/// A label or field selector (or a <c>V1LabelSelector</c>) that cannot be turned into a selector.
/// The message is worded as k8s.io/apimachinery words it, so the API server can return it verbatim
/// in a BadRequest <c>Status</c> as kube-apiserver does.
/// </summary>
public sealed class SelectorParseException : FormatException
{
    public SelectorParseException()
    {
    }

    public SelectorParseException(string message)
        : base(message)
    {
    }

    public SelectorParseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
