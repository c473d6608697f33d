namespace Navarch.Scheduler.Config;

/// <summary>One scheduling profile: pods whose spec.schedulerName equals <see cref="SchedulerName"/> use its plugins.</summary>
public sealed record SchedulerProfile
{
    public const string DefaultSchedulerName = "default-scheduler";

    public string SchedulerName { get; init; } = DefaultSchedulerName;

    /// <summary>The user's plugin sets; <see cref="DefaultPlugins"/> are merged in when the framework is built.</summary>
    public PluginsConfiguration Plugins { get; init; } = PluginsConfiguration.Empty;

    public IReadOnlyList<PluginConfig> PluginConfig { get; init; } = [];

    public PluginConfig? ArgsFor(string pluginName)
    {
        foreach (var entry in PluginConfig)
        {
            if (entry.Name == pluginName) return entry;
        }

        return null;
    }
}
