namespace Navarch.Scheduler.Config;

/// <summary>A profile's plugin sets: one per extension point plus multiPoint.</summary>
public sealed record PluginsConfiguration
{
    public static PluginsConfiguration Empty { get; } = new();

    /// <summary>Plugins enabled at every extension point whose interface they implement.</summary>
    public PluginSet MultiPoint { get; init; } = PluginSet.Empty;

    /// <summary>Sets for specific extension points; a missing entry is an empty set.</summary>
    public IReadOnlyDictionary<ExtensionPoint, PluginSet> Points { get; init; } = new Dictionary<ExtensionPoint, PluginSet>();

    public PluginSet Get(ExtensionPoint point) => Points.TryGetValue(point, out var set) ? set : PluginSet.Empty;
}
