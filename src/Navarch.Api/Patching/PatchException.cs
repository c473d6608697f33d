namespace Navarch.Api.Patching;

/// <summary>
/// A patch that could not be applied. <see cref="Exception.Message"/> carries the detail in the words of
/// the Go libraries Kubernetes uses (evanphx/json-patch, strategicpatch); <see cref="Kind"/> says which
/// status the API server should answer with.
/// </summary>
public sealed class PatchException : Exception
{
    /// <summary>What kube-apiserver puts in a 422 Status message for a patch that does not apply.</summary>
    public const string RejectedMessage = "the server rejected our request due to an error in our request";

    public PatchException()
        : this(PatchErrorKind.BadRequest, "invalid patch")
    {
    }

    public PatchException(string message)
        : this(PatchErrorKind.BadRequest, message)
    {
    }

    public PatchException(string message, Exception innerException)
        : base(message, innerException)
    {
        Kind = PatchErrorKind.BadRequest;
    }

    public PatchException(PatchErrorKind kind, string message)
        : base(message)
    {
        Kind = kind;
    }

    public PatchErrorKind Kind { get; }
}
