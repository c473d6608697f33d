using System.Text;
using System.Text.Json;
using k8s.Models;
using Navarch.Kubelet.Cri.V1;

namespace Navarch.Kubelet.Images;

/// <summary>
/// Registry credentials from a pod's imagePullSecrets (<c>kubernetes.io/dockerconfigjson</c> and the older
/// <c>kubernetes.io/dockercfg</c>), matched to an image as the kubelet's credential keyring does: the entry's host
/// (a <c>*.</c> wildcard allowed) must be the image's registry, and its path, if any, a prefix of the repository.
/// </summary>
public sealed class RegistryCredentials
{
    public const string DockerConfigJsonType = "kubernetes.io/dockerconfigjson";
    public const string DockerConfigJsonKey = ".dockerconfigjson";
    public const string DockerCfgType = "kubernetes.io/dockercfg";
    public const string DockerCfgKey = ".dockercfg";

    private readonly List<(string Host, string PathPrefix, AuthConfig Auth)> _entries = [];

    /// <summary>Adds the entries of one Secret; Secrets of other types, or unparsable ones, add nothing (as the kubelet skips them).</summary>
    /// <returns>Whether the Secret held credentials.</returns>
    public bool Add(V1Secret secret)
    {
        ArgumentNullException.ThrowIfNull(secret);
        JsonElement auths;
        try
        {
            if (secret.Type == DockerConfigJsonType && secret.Data?.TryGetValue(DockerConfigJsonKey, out var json) == true)
            {
                using var document = JsonDocument.Parse(json);
                if (!document.RootElement.TryGetProperty("auths", out var inner) || inner.ValueKind != JsonValueKind.Object)
                {
                    return false;
                }

                auths = inner.Clone();
            }
            else if (secret.Type == DockerCfgType && secret.Data?.TryGetValue(DockerCfgKey, out var cfg) == true)
            {
                using var document = JsonDocument.Parse(cfg);
                auths = document.RootElement.Clone();
            }
            else
            {
                return false;
            }
        }
        catch (JsonException)
        {
            return false;
        }

        if (auths.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        var added = false;
        foreach (var entry in auths.EnumerateObject())
        {
            if (entry.Value.ValueKind == JsonValueKind.Object && ToAuthConfig(entry.Value) is { } auth)
            {
                var (host, path) = SplitKey(entry.Name);
                _entries.Add((host, path, auth));
                added = true;
            }
        }

        return added;
    }

    /// <summary>The credentials that apply to <paramref name="image"/>, the most specific first.</summary>
    public IReadOnlyList<AuthConfig> For(ImageReference image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return _entries
            .Where(entry => HostMatches(entry.Host, image.Domain) && PathMatches(entry.PathPrefix, image.Path))
            .OrderByDescending(entry => entry.Host.Length + entry.PathPrefix.Length)
            .Select(entry => entry.Auth)
            .ToList();
    }

    /// <summary>A docker config key (<c>https://index.docker.io/v1/</c>, <c>registry:5000</c>, <c>*.example.com/team</c>) as host and path.</summary>
    internal static (string Host, string Path) SplitKey(string key)
    {
        var rest = key;
        var scheme = rest.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            rest = rest[(scheme + 3)..];
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var host = (slash < 0 ? rest : rest[..slash]).ToLowerInvariant();
        var path = slash < 0 ? string.Empty : rest[(slash + 1)..].Trim('/');

        // Docker Hub's keys name its API hosts and a version path, not a repository.
        if (host is "index.docker.io" or "registry-1.docker.io" or "registry.hub.docker.com" or ImageReference.DefaultDomain)
        {
            host = ImageReference.DefaultDomain;
            if (path is "v1" or "v2")
            {
                path = string.Empty;
            }
        }

        return (host, path);
    }

    private static bool HostMatches(string pattern, string host)
    {
        host = host.ToLowerInvariant();
        if (pattern.StartsWith("*.", StringComparison.Ordinal))
        {
            // One wildcard label, as the keyring's glob match on each dot-separated part.
            var dot = host.IndexOf('.', StringComparison.Ordinal);
            return dot > 0 && host[(dot + 1)..] == pattern[2..];
        }

        return pattern == host;
    }

    private static bool PathMatches(string prefix, string path) =>
        prefix.Length == 0 || path == prefix || path.StartsWith(prefix + "/", StringComparison.Ordinal);

    private static AuthConfig? ToAuthConfig(JsonElement value)
    {
        // No server_address: containerd parses it as a URL and drops credentials whose host differs from the registry it
        // resolved (a schemeless "host:port" even fails to parse); the match is already made here.
        var auth = new AuthConfig();
        auth.Username = Text(value, "username");
        auth.Password = Text(value, "password");
        auth.IdentityToken = Text(value, "identitytoken");
        auth.RegistryToken = Text(value, "registrytoken");
        var encoded = Text(value, "auth");
        if (encoded.Length > 0 && auth.Username.Length == 0)
        {
            // As the kubelet: "auth" is base64 of user:password and fills in what the entry lacks.
            string decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            }
            catch (FormatException)
            {
                return null;
            }

            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                return null;
            }

            auth.Username = decoded[..colon];
            auth.Password = decoded[(colon + 1)..];
        }

        return auth.Username.Length > 0 || auth.IdentityToken.Length > 0 || auth.RegistryToken.Length > 0 ? auth : null;
    }

    private static string Text(JsonElement value, string name) =>
        value.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String ? property.GetString() ?? string.Empty : string.Empty;
}
