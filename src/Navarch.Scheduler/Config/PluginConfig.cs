using System.Text.Json;

namespace Navarch.Scheduler.Config;

/// <summary>The args object of one plugin (a pluginConfig entry), in the configuration's camelCase JSON.</summary>
public sealed record PluginConfig(string Name, JsonElement? Args);
