using System.Formats.Tar;

namespace Navarch.Kubelet.Images;

/// <summary>
/// Builds one uncompressed image layer (a tar of the root filesystem changes). Entries get owner root and a
/// fixed modification time so the same inputs always give the same digest.
/// </summary>
public sealed class OciLayerBuilder
{
    /// <summary>The fixed modification time of every entry.</summary>
    public static readonly DateTimeOffset EntryTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private const UnixFileMode DirectoryMode = (UnixFileMode)0b111_101_101;
    private readonly List<Action<TarWriter>> _entries = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    /// <summary>Adds a directory (path relative to the image root, e.g. <c>bin</c>).</summary>
    public OciLayerBuilder AddDirectory(string path, UnixFileMode mode = DirectoryMode)
    {
        var name = Normalize(path) + "/";
        Add(name, writer => writer.WriteEntry(Entry(TarEntryType.Directory, name, mode)));
        return this;
    }

    /// <summary>Adds a regular file with the given content.</summary>
    public OciLayerBuilder AddFile(string path, ReadOnlyMemory<byte> content, UnixFileMode mode)
    {
        var name = Normalize(path);
        Add(name, writer =>
        {
            var entry = Entry(TarEntryType.RegularFile, name, mode);
            using var data = new MemoryStream(content.ToArray(), writable: false);
            entry.DataStream = data;
            writer.WriteEntry(entry);
        });
        return this;
    }

    /// <summary>Adds a symbolic link; <paramref name="target"/> is written as given (relative targets resolve inside the image).</summary>
    public OciLayerBuilder AddSymlink(string path, string target)
    {
        var name = Normalize(path);
        Add(name, writer =>
        {
            var entry = Entry(TarEntryType.SymbolicLink, name, (UnixFileMode)0b111_111_111);
            entry.LinkName = target;
            writer.WriteEntry(entry);
        });
        return this;
    }

    /// <summary>The layer as an uncompressed tar (media type <c>application/vnd.oci.image.layer.v1.tar</c>).</summary>
    public byte[] Build()
    {
        using var buffer = new MemoryStream();
        using (var writer = new TarWriter(buffer, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var write in _entries)
            {
                write(writer);
            }
        }

        return buffer.ToArray();
    }

    private void Add(string name, Action<TarWriter> write)
    {
        if (!_names.Add(name))
        {
            throw new ArgumentException($"layer already has an entry {name}");
        }

        _entries.Add(write);
    }

    private static UstarTarEntry Entry(TarEntryType type, string name, UnixFileMode mode) => new(type, name)
    {
        Mode = mode,
        Uid = 0,
        Gid = 0,
        UserName = "root",
        GroupName = "root",
        ModificationTime = EntryTime,
    };

    private static string Normalize(string path)
    {
        var name = path.Trim('/');
        if (name.Length == 0 || name.Split('/').Any(part => part is "" or "." or ".."))
        {
            throw new ArgumentException($"invalid path in layer: {path}", nameof(path));
        }

        return name;
    }
}
