namespace Navarch.Scheduler.Config;

/// <summary>A plugin named in a plugin set; <see cref="Weight"/> matters for Score only (0 means the default, 1).</summary>
public sealed record PluginRef(string Name, int Weight = 0);
