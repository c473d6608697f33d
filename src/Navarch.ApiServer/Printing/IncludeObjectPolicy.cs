namespace Navarch.ApiServer.Printing;

/// <summary>What each Table row carries in its <c>object</c> field: the <c>includeObject</c> query parameter.</summary>
public enum IncludeObjectPolicy
{
    /// <summary>No object.</summary>
    None,

    /// <summary>A meta.k8s.io/v1 PartialObjectMetadata with the object's metadata; the default, as in Kubernetes.</summary>
    Metadata,

    /// <summary>The whole object.</summary>
    Object,
}
