using System.Formats.Tar;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace Navarch.Kubelet.Images;

/// <summary>
/// Writes a single-platform image as an OCI image layout tarball (<c>oci-layout</c>, <c>index.json</c>, <c>blobs/sha256/…</c>),
/// the format <c>ctr images import</c> and <c>navarch image import</c> read. The index entry carries both
/// <c>io.containerd.image.name</c> (the full reference containerd names the image by) and
/// <c>org.opencontainers.image.ref.name</c> (the tag, per the image-layout spec).
/// </summary>
public static class OciImageWriter
{
    public const string IndexMediaType = "application/vnd.oci.image.index.v1+json";
    public const string ManifestMediaType = "application/vnd.oci.image.manifest.v1+json";
    public const string ConfigMediaType = "application/vnd.oci.image.config.v1+json";
    public const string LayerMediaType = "application/vnd.oci.image.layer.v1.tar";

    /// <summary>Writes the image and returns the manifest digest (<c>sha256:…</c>).</summary>
    /// <param name="output">Receives the tarball.</param>
    /// <param name="reference">Full image reference, e.g. <c>docker.io/library/busybox:latest</c>: what CRI looks the image up by.</param>
    /// <param name="layers">Uncompressed layer tars, bottom first.</param>
    /// <param name="config">What containers of the image run by default.</param>
    public static async Task<string> WriteAsync(
        Stream output, string reference, IReadOnlyList<byte[]> layers, OciImageConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentException.ThrowIfNullOrEmpty(reference);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(config);
        var tag = TagOf(reference);
        var architecture = Architecture();

        var blobs = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var layerDigests = layers.Select(layer => AddBlob(blobs, layer)).ToList();
        var configBlob = Json(writer =>
        {
            writer.WriteString("architecture", architecture);
            writer.WriteString("os", "linux");
            writer.WriteStartObject("config");
            WriteStrings(writer, "Env", config.Env);
            if (config.Entrypoint.Count > 0)
            {
                WriteStrings(writer, "Entrypoint", config.Entrypoint);
            }

            if (config.Cmd.Count > 0)
            {
                WriteStrings(writer, "Cmd", config.Cmd);
            }

            writer.WriteString("WorkingDir", config.WorkingDir);
            writer.WriteEndObject();
            writer.WriteStartObject("rootfs");
            writer.WriteString("type", "layers");
            // Layers are uncompressed, so each diff ID is the layer digest itself.
            WriteStrings(writer, "diff_ids", layerDigests);
            writer.WriteEndObject();
        });
        var configDigest = AddBlob(blobs, configBlob);

        var manifest = Json(writer =>
        {
            writer.WriteNumber("schemaVersion", 2);
            writer.WriteString("mediaType", ManifestMediaType);
            writer.WritePropertyName("config");
            WriteDescriptor(writer, ConfigMediaType, configDigest, configBlob.Length);
            writer.WriteStartArray("layers");
            for (var i = 0; i < layers.Count; i++)
            {
                WriteDescriptor(writer, LayerMediaType, layerDigests[i], layers[i].Length);
            }

            writer.WriteEndArray();
        });
        var manifestDigest = AddBlob(blobs, manifest);

        var index = Json(writer =>
        {
            writer.WriteNumber("schemaVersion", 2);
            writer.WriteString("mediaType", IndexMediaType);
            writer.WriteStartArray("manifests");
            writer.WriteStartObject();
            writer.WriteString("mediaType", ManifestMediaType);
            writer.WriteString("digest", manifestDigest);
            writer.WriteNumber("size", manifest.Length);
            writer.WriteStartObject("annotations");
            writer.WriteString("io.containerd.image.name", reference);
            writer.WriteString("org.opencontainers.image.ref.name", tag);
            writer.WriteEndObject();
            writer.WriteStartObject("platform");
            writer.WriteString("architecture", architecture);
            writer.WriteString("os", "linux");
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndArray();
        });

        await using (var tar = new TarWriter(output, TarEntryFormat.Ustar, leaveOpen: true))
        {
            await WriteFileAsync(tar, "oci-layout", """{"imageLayoutVersion":"1.0.0"}"""u8.ToArray(), cancellationToken).ConfigureAwait(false);
            await WriteFileAsync(tar, "index.json", index, cancellationToken).ConfigureAwait(false);
            foreach (var (digest, blob) in blobs.OrderBy(pair => pair.Key, StringComparer.Ordinal))
            {
                await WriteFileAsync(tar, "blobs/sha256/" + digest["sha256:".Length..], blob, cancellationToken).ConfigureAwait(false);
            }
        }

        return manifestDigest;
    }

    /// <summary>The OCI/Go name of the machine's architecture (amd64, arm64, …).</summary>
    public static string Architecture() => RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        var other => other.ToString().ToLowerInvariant(),
    };

    private static string TagOf(string reference)
    {
        var lastSlash = reference.LastIndexOf('/');
        var colon = reference.LastIndexOf(':');
        if (reference.Contains('@', StringComparison.Ordinal) || colon <= lastSlash)
        {
            throw new ArgumentException($"image reference must end in a tag: {reference}", nameof(reference));
        }

        return reference[(colon + 1)..];
    }

    private static string AddBlob(Dictionary<string, byte[]> blobs, byte[] blob)
    {
        var digest = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(blob));
        blobs[digest] = blob;
        return digest;
    }

    private static byte[] Json(Action<Utf8JsonWriter> writeProperties)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writeProperties(writer);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteDescriptor(Utf8JsonWriter writer, string mediaType, string digest, long size)
    {
        writer.WriteStartObject();
        writer.WriteString("mediaType", mediaType);
        writer.WriteString("digest", digest);
        writer.WriteNumber("size", size);
        writer.WriteEndObject();
    }

    private static void WriteStrings(Utf8JsonWriter writer, string name, IEnumerable<string> values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }

    private static async Task WriteFileAsync(TarWriter tar, string name, byte[] content, CancellationToken cancellationToken)
    {
        var entry = new UstarTarEntry(TarEntryType.RegularFile, name)
        {
            Mode = (UnixFileMode)0b110_100_100,
            ModificationTime = OciLayerBuilder.EntryTime,
        };
        using var data = new MemoryStream(content, writable: false);
        entry.DataStream = data;
        await tar.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
    }
}
