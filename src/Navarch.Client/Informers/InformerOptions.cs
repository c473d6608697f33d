namespace Navarch.Client.Informers;

/// <summary>What one informer watches: a kind, optionally narrowed to a namespace and by selectors.</summary>
public sealed record InformerOptions
{
    /// <summary>Only this namespace; null for all namespaces (and for cluster-scoped kinds).</summary>
    public string? Namespace { get; init; }

    /// <summary>A label selector in Kubernetes' string form (<c>app=web,tier!=db</c>), or null for everything.</summary>
    public string? LabelSelector { get; init; }

    /// <summary>A field selector (<c>spec.nodeName=node-1</c>), or null for everything.</summary>
    public string? FieldSelector { get; init; }

    /// <summary>How often every cached object is re-delivered to handlers as an update; zero (the default) for never.</summary>
    public TimeSpan ResyncPeriod { get; init; } = TimeSpan.Zero;
}
