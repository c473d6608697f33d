using System.Text.Json;

namespace Navarch.Scheduler.Framework;

/// <summary>
/// Builds a plugin for one profile from its arguments (the <c>pluginConfig[].args</c> object of the configuration
/// file, null for defaults) and the profile's handle.
/// </summary>
public delegate IPlugin PluginFactory(JsonElement? args, IFrameworkHandle handle);
