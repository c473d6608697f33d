namespace Navarch.ApiServer.Protobuf;

/// <summary>
/// A request body in Kubernetes' protobuf encoding that cannot be decoded: truncated, malformed, too deeply nested, or
/// of a kind we have no message for. It derives from <see cref="FormatException"/> so the request-body boundary
/// turns it into a 400 BadRequest like any other unparsable body.
/// </summary>
public sealed class ProtobufFormatException : FormatException
{
    public ProtobufFormatException(string message)
        : base(message)
    {
    }

    public ProtobufFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
