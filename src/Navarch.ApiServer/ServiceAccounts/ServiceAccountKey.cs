using System.Security.Cryptography;
using System.Text.Json;
using Navarch.ApiServer.Security;

namespace Navarch.ApiServer.ServiceAccounts;

/// <summary>
/// The key that signs service-account tokens: RSA 2048 (RS256, what every JWT library verifies), kept as PKCS#8 PEM
/// in <c>&lt;dataDir&gt;/server/tls/service-account.key</c> (mode 0600). Created on first start and reused after, as k3s
/// keeps its service.key, so tokens issued before a restart stay valid.
/// </summary>
public sealed class ServiceAccountKey : IDisposable
{
    public const string FileName = "service-account.key";

    /// <summary>The JWS algorithm of the signatures.</summary>
    public const string Algorithm = "RS256";

    private const int KeySize = 2048;

    private readonly RSA _key;

    // RSA objects are not documented as safe for concurrent use; signing is rare and verification results are
    // cached by the authenticator, so one lock costs little.
    private readonly Lock _gate = new();

    private ServiceAccountKey(RSA key, string path)
    {
        _key = key;
        Path = path;
        var parameters = key.ExportParameters(includePrivateParameters: false);
        Modulus = parameters.Modulus ?? throw new CryptographicException("RSA key without a modulus");
        Exponent = parameters.Exponent ?? throw new CryptographicException("RSA key without an exponent");

        // As kube-apiserver's keyIDFromPublicKey: the unpadded base64url SHA-256 of the PKIX (DER) public key.
        KeyId = Base64Url.Encode(SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
    }

    /// <summary>Where the private key is stored.</summary>
    public string Path { get; }

    /// <summary>The JWS <c>kid</c> header of tokens signed with this key.</summary>
    public string KeyId { get; }

    /// <summary>The public modulus (big-endian), for the JWKS document.</summary>
    public byte[] Modulus { get; }

    public byte[] Exponent { get; }

    /// <summary>Loads <c>&lt;dataDirectory&gt;/server/tls/service-account.key</c>, creating it on first start.</summary>
    /// <exception cref="InvalidDataException">The file exists but holds no usable RSA private key.</exception>
    public static async Task<ServiceAccountKey> LoadOrCreateAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        var path = System.IO.Path.Combine(System.IO.Path.GetFullPath(dataDirectory), "server", "tls", FileName);
        var key = RSA.Create();
        try
        {
            if (File.Exists(path))
            {
                var pem = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
                try
                {
                    key.ImportFromPem(pem);
                }
                catch (Exception e) when (e is CryptographicException or ArgumentException)
                {
                    // A new key here would silently invalidate every token in use; make the operator decide.
                    throw new InvalidDataException(
                        $"service-account key {path} holds no usable RSA private key; restore it or remove it to create a new one.", e);
                }

                if (key.KeySize < KeySize)
                {
                    throw new InvalidDataException($"service-account key {path} is {key.KeySize} bits; at least {KeySize} are required.");
                }
            }
            else
            {
                key.KeySize = KeySize;
                await SecureFile.WriteAtomicAsync(path, key.ExportPkcs8PrivateKeyPem() + "\n", SecureFile.PrivateMode, cancellationToken)
                    .ConfigureAwait(false);
            }

            return new ServiceAccountKey(key, path);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            return _key.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
    }

    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        lock (_gate)
        {
            return _key.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
    }

    /// <summary>Writes this key as a JWK (<c>use</c>, <c>kty</c>, <c>kid</c>, <c>alg</c>, <c>n</c>, <c>e</c>), as kube-apiserver's JWKS lists it.</summary>
    public void WriteJwk(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("use", "sig");
        writer.WriteString("kty", "RSA");
        writer.WriteString("kid", KeyId);
        writer.WriteString("alg", Algorithm);
        writer.WriteString("n", Base64Url.Encode(Modulus));
        writer.WriteString("e", Base64Url.Encode(Exponent));
        writer.WriteEndObject();
    }

    public void Dispose() => _key.Dispose();
}
