namespace Navarch.ApiServer.Security;

/// <summary>
/// The authenticated identity of a request, as Kubernetes' <c>user.Info</c>: a user name and the groups it belongs to.
/// </summary>
public sealed record UserInfo(string Name, IReadOnlyList<string> Groups)
{
    /// <summary>The group every authenticated user is added to, as kube-apiserver does.</summary>
    public const string AuthenticatedGroup = "system:authenticated";

    /// <summary>The group of requests that presented no credentials.</summary>
    public const string UnauthenticatedGroup = "system:unauthenticated";

    /// <summary>The identity kube-apiserver gives requests without credentials.</summary>
    public static UserInfo Anonymous { get; } = new("system:anonymous", [UnauthenticatedGroup]);
}
