namespace Navarch.Api.Patching;

/// <summary>Which HTTP status kube-apiserver answers a failed patch with.</summary>
public enum PatchErrorKind
{
    /// <summary>400: the patch itself cannot be decoded or uses directives wrongly.</summary>
    BadRequest,

    /// <summary>
    /// 422: the patch is well-formed but does not apply to the object (e.g. a JSON patch path is missing).
    /// kube-apiserver's Status message is then <see cref="PatchException.RejectedMessage"/>, with the
    /// detail as a cause.
    /// </summary>
    Invalid,

    /// <summary>413: too many operations.</summary>
    RequestEntityTooLarge,
}
