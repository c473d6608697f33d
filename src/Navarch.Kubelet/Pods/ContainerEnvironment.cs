using System.Text;
using System.Text.RegularExpressions;
using k8s.Models;

namespace Navarch.Kubelet.Pods;

/// <summary>
/// A container's environment as the kubelet's makeEnvironmentVariables builds it: envFrom sources first (each key with
/// its prefix; keys that are not valid variable names skipped), then env in declared order, a later name replacing an
/// earlier one; values expand <c>$(VAR)</c> against what is defined so far, then the service variables; the service
/// variables not defined by the container come last. ConfigMaps and Secrets come from <see cref="ContainerInputs"/>;
/// one missing there is missing in the API.
/// </summary>
internal static partial class ContainerEnvironment
{
    /// <exception cref="ContainerConfigException">A source is missing and not optional, or cannot be resolved.</exception>
    public static List<KeyValuePair<string, string>> Build(V1Pod pod, V1Container container, PodNetworkInfo network, ContainerInputs inputs)
    {
        var env = new List<KeyValuePair<string, string>>();
        var ns = PodSandboxConfigBuilder.Identity(pod).Namespace;
        foreach (var source in container.EnvFrom ?? [])
        {
            IEnumerable<KeyValuePair<string, string>> values;
            if (source.ConfigMapRef is { } configMapRef)
            {
                if (!inputs.ConfigMaps.TryGetValue(configMapRef.Name ?? string.Empty, out var configMap))
                {
                    if (configMapRef.Optional == true)
                    {
                        continue;
                    }

                    throw NotFound("configmap", configMapRef.Name);
                }

                values = configMap.Data ?? new Dictionary<string, string>();
            }
            else if (source.SecretRef is { } secretRef)
            {
                if (!inputs.Secrets.TryGetValue(secretRef.Name ?? string.Empty, out var secret))
                {
                    if (secretRef.Optional == true)
                    {
                        continue;
                    }

                    throw NotFound("secret", secretRef.Name);
                }

                values = (secret.Data ?? new Dictionary<string, byte[]>()).Select(entry => new KeyValuePair<string, string>(entry.Key, Encoding.UTF8.GetString(entry.Value)));
            }
            else
            {
                continue;
            }

            // Sorted so the order is stable; the kubelet's own order is a map's.
            foreach (var (key, value) in values.OrderBy(entry => entry.Key, StringComparer.Ordinal))
            {
                var name = (source.Prefix ?? string.Empty) + key;
                // As the kubelet does, a key that is not a valid variable name is skipped (it reports an event).
                if (IsEnvVarName(name))
                {
                    Set(env, name, value);
                }
            }
        }

        foreach (var variable in container.Env ?? [])
        {
            if (!string.IsNullOrEmpty(variable.Value) || variable.ValueFrom is null)
            {
                Set(env, variable.Name, VariableExpansion.Expand(variable.Value ?? string.Empty, Lookup(env, inputs.ServiceEnvironment)));
                continue;
            }

            var from = variable.ValueFrom;
            string? value;
            if (from.FieldRef is { } fieldRef)
            {
                value = DownwardApi.FieldValue(pod, fieldRef.FieldPath, network);
            }
            else if (from.ResourceFieldRef is { } resourceRef)
            {
                value = DownwardApi.ResourceValue(container, resourceRef.Resource, resourceRef.Divisor, inputs.NodeAllocatable);
            }
            else if (from.ConfigMapKeyRef is { } configMapKey)
            {
                value = ConfigMapValue(ns, configMapKey, inputs);
            }
            else if (from.SecretKeyRef is { } secretKey)
            {
                value = SecretValue(ns, secretKey, inputs);
            }
            else
            {
                value = string.Empty;
            }

            // Null: an optional source that is absent leaves the variable out.
            if (value is not null)
            {
                Set(env, variable.Name, value);
            }
        }

        foreach (var (key, value) in inputs.ServiceEnvironment)
        {
            if (env.FindIndex(entry => entry.Key == key) < 0)
            {
                env.Add(new(key, value));
            }
        }

        return env;
    }

    /// <summary>Looks a name up in <paramref name="env"/>, then in <paramref name="fallback"/>.</summary>
    public static Func<string, string?> Lookup(List<KeyValuePair<string, string>> env, IReadOnlyList<KeyValuePair<string, string>>? fallback = null) =>
        key =>
        {
            foreach (var entry in env)
            {
                if (entry.Key == key)
                {
                    return entry.Value;
                }
            }

            foreach (var entry in fallback ?? [])
            {
                if (entry.Key == key)
                {
                    return entry.Value;
                }
            }

            return null;
        };

    private static string? ConfigMapValue(string ns, V1ConfigMapKeySelector selector, ContainerInputs inputs)
    {
        var optional = selector.Optional == true;
        if (!inputs.ConfigMaps.TryGetValue(selector.Name ?? string.Empty, out var configMap))
        {
            return optional ? null : throw NotFound("configmap", selector.Name);
        }

        if (configMap.Data?.TryGetValue(selector.Key, out var value) == true)
        {
            return value;
        }

        return optional ? null : throw new ContainerConfigException($"couldn't find key {selector.Key} in ConfigMap {ns}/{selector.Name}");
    }

    private static string? SecretValue(string ns, V1SecretKeySelector selector, ContainerInputs inputs)
    {
        var optional = selector.Optional == true;
        if (!inputs.Secrets.TryGetValue(selector.Name ?? string.Empty, out var secret))
        {
            return optional ? null : throw NotFound("secret", selector.Name);
        }

        if (secret.Data?.TryGetValue(selector.Key, out var value) == true)
        {
            return Encoding.UTF8.GetString(value);
        }

        return optional ? null : throw new ContainerConfigException($"couldn't find key {selector.Key} in Secret {ns}/{selector.Name}");
    }

    /// <summary>The kubelet's configmap and secret managers report a missing object with their singular resource name.</summary>
    private static ContainerConfigException NotFound(string resource, string? name) => new($"{resource} \"{name}\" not found");

    private static void Set(List<KeyValuePair<string, string>> env, string name, string value)
    {
        var index = env.FindIndex(entry => entry.Key == name);
        if (index >= 0)
        {
            env[index] = new(name, value);
        }
        else
        {
            env.Add(new(name, value));
        }
    }

    /// <summary>IsEnvVarName: letters, digits, '_', '-' and '.', not starting with a digit.</summary>
    private static bool IsEnvVarName(string name) => EnvVarName().IsMatch(name);

    [GeneratedRegex("^[-._a-zA-Z][-._a-zA-Z0-9]*$")]
    private static partial Regex EnvVarName();
}
