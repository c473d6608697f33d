using System.Security.Cryptography;
using System.Text;
using Navarch.ApiServer.Security;

namespace Navarch.ApiServer.NodeJoin;

/// <summary>
/// The node join token kept at <c>&lt;dataDir&gt;/server/token</c>, in k3s' "secure" format
/// <c>K10&lt;sha256 of the CA bundle, hex&gt;::server:&lt;secret&gt;</c>. The CA hash lets an agent pin the server's CA
/// before it sends the secret; the secret is what the node-certificate endpoint checks.
/// </summary>
public sealed class NodeToken
{
    public const string FileName = "token";

    /// <summary>k3s' marker of a token that carries the CA hash.</summary>
    public const string Prefix = "K10";

    /// <summary>The user part, as k3s writes it for the server token.</summary>
    public const string UserName = "server";

    private readonly byte[] _secretBytes;

    private NodeToken(string caHash, string secret)
    {
        CaHash = caHash;
        Secret = secret;
        _secretBytes = Encoding.UTF8.GetBytes(secret);
    }

    /// <summary>Lower-case hex SHA-256 of the CA bundle as <c>/cacerts</c> serves it.</summary>
    public string CaHash { get; }

    /// <summary>The secret an agent presents as <c>Authorization: Bearer &lt;secret&gt;</c>.</summary>
    public string Secret { get; }

    /// <summary>The full token, what <c>navarch agent --token</c> takes.</summary>
    public string Value => $"{Prefix}{CaHash}::{UserName}:{Secret}";

    /// <summary>The SHA-256 of the CA bundle text, lower-case hex, as k3s hashes its cacerts.</summary>
    public static string HashCa(string caBundlePem)
    {
        ArgumentNullException.ThrowIfNull(caBundlePem);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(caBundlePem)));
    }

    /// <summary>
    /// Reads the token file, or creates it (mode 0600) with a random secret. The secret of an existing file is kept,
    /// so joined agents keep working across restarts; its CA hash is rewritten when the CA changed.
    /// </summary>
    /// <exception cref="InvalidDataException">The file exists but holds no usable secret.</exception>
    public static async Task<NodeToken> LoadOrCreateAsync(string dataDirectory, string caBundlePem, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        var path = Path.Combine(Path.GetFullPath(dataDirectory), "server", FileName);
        var hash = HashCa(caBundlePem);
        if (File.Exists(path))
        {
            var text = (await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false)).Trim();
            var secret = SecretOf(text)
                ?? throw new InvalidDataException($"Node token file {path} holds no secret; remove it to create a new token.");
            var loaded = new NodeToken(hash, secret);
            if (loaded.Value != text)
            {
                await WriteAsync(path, loaded, cancellationToken).ConfigureAwait(false);
            }

            return loaded;
        }

        // 16 random bytes, hex: the strength of k3s' generated tokens, and only characters safe on a command line.
        var created = new NodeToken(hash, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
        await WriteAsync(path, created, cancellationToken).ConfigureAwait(false);
        return created;
    }

    /// <summary>Whether <paramref name="presented"/> is the secret, compared in fixed time.</summary>
    public bool SecretMatches(ReadOnlySpan<char> presented)
    {
        var bytes = Encoding.UTF8.GetBytes(presented.ToArray());
        return CryptographicOperations.FixedTimeEquals(bytes, _secretBytes);
    }

    /// <summary>The secret of a full token (<c>K10hash::user:secret</c>) or of a bare one, as k3s accepts both.</summary>
    private static string? SecretOf(string token)
    {
        var text = token;
        if (text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            var separator = text.IndexOf("::", StringComparison.Ordinal);
            if (separator < 0)
            {
                return null;
            }

            text = text[(separator + 2)..];
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var secret = colon < 0 ? text : text[(colon + 1)..];
        return secret.Length == 0 ? null : secret;
    }

    private static Task WriteAsync(string path, NodeToken token, CancellationToken cancellationToken) =>
        SecureFile.WriteAtomicAsync(path, token.Value + "\n", SecureFile.PrivateMode, cancellationToken);
}
