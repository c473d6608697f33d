using System.Security.Cryptography;
using System.Text;

namespace Navarch.ApiServer.Discovery;

/// <summary>
/// The <c>storageVersionHash</c> of discovery, computed as kube-apiserver does: base64 of the first 8 bytes of the
/// SHA-256 of <c>group/version/kind</c> (the core group is the empty string, so pods hash <c>/v1/Pod</c>).
/// </summary>
internal static class StorageVersionHash
{
    public static string Of(string group, string version, string kind)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"{group}/{version}/{kind}"));
        return Convert.ToBase64String(digest, 0, 8);
    }
}
