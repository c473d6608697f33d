namespace Navarch.ApiServer.Registry.Validation;

/// <summary>Which of Kubernetes' name rules a kind's <c>metadata.name</c> follows.</summary>
internal enum NameKind
{
    /// <summary>A lowercase RFC 1123 subdomain (most kinds).</summary>
    Dns1123Subdomain,

    /// <summary>A lowercase RFC 1123 label (Namespace).</summary>
    Dns1123Label,

    /// <summary>An RFC 1035 label (Service, as in Kubernetes 1.32 where RelaxedServiceNameValidation does not exist yet).</summary>
    Dns1035Label,
}
