using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using Navarch.Api;

namespace Navarch.Scheduler.Config;

/// <summary>
/// Reads KubeSchedulerConfiguration from YAML or JSON: YAML becomes a JSON tree (plain scalars typed as YAML 1.2's
/// core schema does), then fields are read from the JSON with defaults for what is absent.
/// </summary>
internal static class SchedulerConfigurationParser
{
    public static SchedulerConfiguration Parse(string text)
    {
        JsonElement root;
        try
        {
            var node = ToJson(text);
            root = JsonSerializer.SerializeToElement(node);
        }
        catch (Exception e) when (e is YamlException or JsonException)
        {
            throw new SchedulerConfigurationException($"cannot parse configuration: {e.Message}");
        }

        if (root.ValueKind != JsonValueKind.Object) throw new SchedulerConfigurationException("configuration must be an object");

        List<string> errors = [];
        var apiVersion = String(root, "apiVersion");
        if (apiVersion != SchedulerConfiguration.ApiVersionV1)
        {
            errors.Add($"apiVersion: Unsupported value: \"{apiVersion}\": supported values: \"{SchedulerConfiguration.ApiVersionV1}\"");
        }

        var kind = String(root, "kind");
        if (kind != SchedulerConfiguration.KindName)
        {
            errors.Add($"kind: Unsupported value: \"{kind}\": supported values: \"{SchedulerConfiguration.KindName}\"");
        }

        var defaults = SchedulerConfiguration.Default;
        var config = new SchedulerConfiguration
        {
            PercentageOfNodesToScore = Int(root, "percentageOfNodesToScore", defaults.PercentageOfNodesToScore, errors),
            PodInitialBackoffSeconds = Int(root, "podInitialBackoffSeconds", defaults.PodInitialBackoffSeconds, errors),
            PodMaxBackoffSeconds = Int(root, "podMaxBackoffSeconds", defaults.PodMaxBackoffSeconds, errors),
            Parallelism = Int(root, "parallelism", defaults.Parallelism, errors),
            LeaderElection = root.TryGetProperty("leaderElection", out var le) && le.ValueKind == JsonValueKind.Object
                ? ReadLeaderElection(le, errors)
                : new LeaderElectionConfiguration(),
            Profiles = root.TryGetProperty("profiles", out var profiles) && profiles.ValueKind == JsonValueKind.Array
                ? ReadProfiles(profiles, errors)
                : [new SchedulerProfile()],
        };

        if (errors.Count > 0) throw new SchedulerConfigurationException(errors);
        return config;
    }

    private static LeaderElectionConfiguration ReadLeaderElection(JsonElement le, List<string> errors)
    {
        var d = new LeaderElectionConfiguration();
        return new LeaderElectionConfiguration
        {
            LeaderElect = le.TryGetProperty("leaderElect", out var elect) && elect.ValueKind is JsonValueKind.True or JsonValueKind.False
                ? elect.GetBoolean()
                : d.LeaderElect,
            LeaseDuration = Duration(le, "leaseDuration", d.LeaseDuration, errors),
            RenewDeadline = Duration(le, "renewDeadline", d.RenewDeadline, errors),
            RetryPeriod = Duration(le, "retryPeriod", d.RetryPeriod, errors),
            ResourceNamespace = String(le, "resourceNamespace") ?? d.ResourceNamespace,
            ResourceName = String(le, "resourceName") ?? d.ResourceName,
        };
    }

    private static List<SchedulerProfile> ReadProfiles(JsonElement profiles, List<string> errors)
    {
        List<SchedulerProfile> result = [];
        var index = 0;
        foreach (var p in profiles.EnumerateArray())
        {
            var path = $"profiles[{index++}]";
            if (p.ValueKind != JsonValueKind.Object)
            {
                errors.Add($"{path}: must be an object");
                continue;
            }

            List<PluginConfig> pluginConfig = [];
            if (p.TryGetProperty("pluginConfig", out var pc) && pc.ValueKind == JsonValueKind.Array)
            {
                foreach (var entry in pc.EnumerateArray())
                {
                    var name = String(entry, "name") ?? string.Empty;
                    JsonElement? args = entry.TryGetProperty("args", out var a) && a.ValueKind == JsonValueKind.Object ? a.Clone() : null;
                    pluginConfig.Add(new PluginConfig(name, args));
                }
            }

            result.Add(new SchedulerProfile
            {
                SchedulerName = String(p, "schedulerName") ?? SchedulerProfile.DefaultSchedulerName,
                Plugins = p.TryGetProperty("plugins", out var plugins) && plugins.ValueKind == JsonValueKind.Object
                    ? ReadPlugins(plugins, $"{path}.plugins", errors)
                    : PluginsConfiguration.Empty,
                PluginConfig = pluginConfig,
            });
        }

        return result;
    }

    private static PluginsConfiguration ReadPlugins(JsonElement plugins, string path, List<string> errors)
    {
        var points = new Dictionary<ExtensionPoint, PluginSet>();
        var multiPoint = PluginSet.Empty;
        foreach (var property in plugins.EnumerateObject())
        {
            if (property.Name == "multiPoint")
            {
                multiPoint = ReadSet(property.Value);
                continue;
            }

            var found = false;
            foreach (var point in Enum.GetValues<ExtensionPoint>())
            {
                if (SchedulerConfigurationValidator.CamelCase(point) != property.Name) continue;
                points[point] = ReadSet(property.Value);
                found = true;
            }

            if (!found) errors.Add($"{path}.{property.Name}: unknown extension point");
        }

        return new PluginsConfiguration { MultiPoint = multiPoint, Points = points };
    }

    private static PluginSet ReadSet(JsonElement set)
    {
        List<PluginRef> enabled = [];
        List<string> disabled = [];
        if (set.ValueKind != JsonValueKind.Object) return PluginSet.Empty;
        if (set.TryGetProperty("enabled", out var e) && e.ValueKind == JsonValueKind.Array)
        {
            foreach (var plugin in e.EnumerateArray())
            {
                var weight = plugin.TryGetProperty("weight", out var w) && w.ValueKind == JsonValueKind.Number && w.TryGetInt32(out var wi) ? wi : 0;
                enabled.Add(new PluginRef(String(plugin, "name") ?? string.Empty, weight));
            }
        }

        if (set.TryGetProperty("disabled", out var d) && d.ValueKind == JsonValueKind.Array)
        {
            foreach (var plugin in d.EnumerateArray()) disabled.Add(String(plugin, "name") ?? string.Empty);
        }

        return new PluginSet { Enabled = enabled, Disabled = disabled };
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static int Int(JsonElement element, string name, int fallback, List<string> errors)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return fallback;
        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var result)) return result;
        errors.Add($"{name}: Invalid value: {value.GetRawText()}: must be an integer");
        return fallback;
    }

    private static TimeSpan Duration(JsonElement element, string name, TimeSpan fallback, List<string> errors)
    {
        var text = String(element, name);
        if (text is null) return fallback;
        if (GoDuration.TryParse(text, out var value)) return value;
        errors.Add($"leaderElection.{name}: Invalid value: \"{text}\": must be a duration such as \"15s\"");
        return fallback;
    }

    private static JsonNode? ToJson(string text)
    {
        var trimmed = text.TrimStart();
        if (trimmed.StartsWith('{')) return JsonNode.Parse(text);

        var yaml = new YamlStream();
        yaml.Load(new StringReader(text));
        if (yaml.Documents.Count == 0) return new JsonObject();
        return Convert(yaml.Documents[0].RootNode);
    }

    private static JsonNode? Convert(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    obj[((YamlScalarNode)key).Value ?? string.Empty] = Convert(value);
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                foreach (var item in sequence.Children) array.Add(Convert(item));
                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw new SchedulerConfigurationException($"unsupported YAML node {node.NodeType}");
        }
    }

    private static JsonNode? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? string.Empty;
        if (scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted or ScalarStyle.Literal or ScalarStyle.Folded)
        {
            return JsonValue.Create(value);
        }

        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL": return null;
            case "true" or "True" or "TRUE": return JsonValue.Create(true);
            case "false" or "False" or "FALSE": return JsonValue.Create(false);
        }

        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)) return JsonValue.Create(integer);
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && char.IsDigit(value[^1]))
        {
            return JsonValue.Create(real);
        }

        return JsonValue.Create(value);
    }
}
