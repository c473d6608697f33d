using System.Buffers.Binary;

namespace Navarch.Kubelet.Images;

/// <summary>Just enough ELF reading to tell a static executable from one that needs a dynamic loader.</summary>
internal static class ElfInspector
{
    private const uint ProgramHeaderInterpreter = 3; // PT_INTERP

    /// <summary>True when the executable names a program interpreter (a dynamic loader such as ld-linux).</summary>
    /// <exception cref="InvalidDataException">Not a 64-bit little-endian ELF file.</exception>
    public static bool HasInterpreter(ReadOnlySpan<byte> file)
    {
        // e_ident: magic, class 2 (64-bit), data 1 (little-endian).
        if (file.Length < 64 || !file[..4].SequenceEqual("\u007fELF"u8) || file[4] != 2 || file[5] != 1)
        {
            throw new InvalidDataException("not a 64-bit little-endian ELF executable");
        }

        var programHeaderOffset = BinaryPrimitives.ReadUInt64LittleEndian(file[0x20..]);
        var programHeaderSize = BinaryPrimitives.ReadUInt16LittleEndian(file[0x36..]);
        var programHeaderCount = BinaryPrimitives.ReadUInt16LittleEndian(file[0x38..]);
        for (var i = 0; i < programHeaderCount; i++)
        {
            var offset = programHeaderOffset + ((ulong)i * programHeaderSize);
            if (offset + 4 > (ulong)file.Length)
            {
                throw new InvalidDataException("ELF program headers run past the end of the file");
            }

            if (BinaryPrimitives.ReadUInt32LittleEndian(file[(int)offset..]) == ProgramHeaderInterpreter)
            {
                return true;
            }
        }

        return false;
    }
}
