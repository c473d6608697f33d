namespace Navarch.ApiServer.ServiceAccounts;

/// <summary>Unpadded base64url (RFC 4648 §5), the encoding of every JWS segment.</summary>
internal static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> data) => System.Buffers.Text.Base64Url.EncodeToString(data);

    /// <summary>Decodes <paramref name="text"/>; null when it is not valid unpadded base64url.</summary>
    public static byte[]? TryDecode(ReadOnlySpan<char> text)
    {
        var buffer = new byte[System.Buffers.Text.Base64Url.GetMaxDecodedLength(text.Length)];
        try
        {
            return System.Buffers.Text.Base64Url.TryDecodeFromChars(text, buffer, out var written) ? buffer[..written] : null;
        }
        catch (FormatException)
        {
            // Some malformed input (a lone trailing character) is reported by throwing rather than by false.
            return null;
        }
    }
}
