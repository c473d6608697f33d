namespace Navarch.Kubelet.Join;

/// <summary>
/// A node join token in k3s' secure format, <c>K10&lt;sha256 of the CA bundle, hex&gt;::&lt;user&gt;:&lt;secret&gt;</c>.
/// Only this format is accepted: a bare secret would leave the agent nothing to pin the server's CA with.
/// </summary>
public sealed record JoinToken(string CaHash, string Secret)
{
    private const string Prefix = "K10";
    private const int HashHexLength = 64;

    /// <exception cref="FormatException">The token is not in the secure format.</exception>
    public static JoinToken Parse(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var text = token.Trim();
        var separator = text.IndexOf("::", StringComparison.Ordinal);
        if (!text.StartsWith(Prefix, StringComparison.Ordinal) || separator != Prefix.Length + HashHexLength)
        {
            throw new FormatException("the token is not in the secure format K10<ca-hash>::<user>:<secret> (see <data-dir>/server/token on the server)");
        }

        var hash = text[Prefix.Length..separator].ToLowerInvariant();
        if (!hash.All(char.IsAsciiHexDigit))
        {
            throw new FormatException("the token's CA hash is not hexadecimal");
        }

        var credentials = text[(separator + 2)..];
        var colon = credentials.IndexOf(':', StringComparison.Ordinal);
        var secret = colon < 0 ? "" : credentials[(colon + 1)..];
        if (secret.Length == 0)
        {
            throw new FormatException("the token has no secret after '<user>:'");
        }

        return new JoinToken(hash, secret);
    }
}
