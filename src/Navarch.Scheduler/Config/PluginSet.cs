namespace Navarch.Scheduler.Config;

/// <summary>
/// Plugins enabled and disabled at one extension point (or multiPoint), as KubeSchedulerConfiguration's PluginSet.
/// A disabled name of "*" disables every default plugin there.
/// </summary>
public sealed record PluginSet
{
    public static PluginSet Empty { get; } = new();

    public IReadOnlyList<PluginRef> Enabled { get; init; } = [];

    public IReadOnlyList<string> Disabled { get; init; } = [];

    public bool DisablesAll => Disabled.Contains("*");
}
