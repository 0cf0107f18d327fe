// Package printing lists the printers of this computer and prints PDFs (permits, batch PDFs,
// the blank application form) on one of them, through the operating system's print spooler.
// (It is not called "print" so that importing it does not shadow the builtin print.)
//
// New returns the Spooler of the platform:
//
//   - Linux and macOS: CUPS, through its command-line clients (lpstat, lp) run with LANG=C and
//     LC_ALL=C so that their output can be parsed. The PDF goes to lp on stdin; nothing is
//     written to disk by this package.
//   - Windows: the Windows print spooler, with no third-party Go code: printers come from
//     Win32_Printer (CIM, through the built-in Windows PowerShell 5.1), and a PDF is printed by
//     handing it to the PDF application registered for the shell verb "printto"
//     (Start-Process -Verb PrintTo), once per copy. Windows itself cannot render a PDF to a
//     printer, so an office needs a PDF reader that registers "printto": SumatraPDF (it prints
//     silently and exits; recommended) or Adobe Acrobat Reader (it may leave a window open).
//     Microsoft Edge, the PDF app of a fresh Windows, is not known to handle "printto"; with no
//     handler, Print fails with ErrNoPDFHandler, whose message says what to install. A reader
//     cannot report copies through "printto", so the document is handed over once per copy.
//
// # What was tested where
//
//   - Linux (Debian 12, CUPS 2.4, printer-driver-cups-pdf 3.0): the tests in this package run
//     against a real cupsd started by scripts/start-cups.sh, with the queue GDD-PDF whose
//     backend writes PDFs into a directory: listing, printing a 3-page A5 PDF and checking the
//     output with pdfinfo, every validation error, a paused and a rejecting queue, and a
//     scheduler that is not running. They never skip: no CUPS means failed tests.
//   - macOS: the same code as Linux (CUPS ships the same lp/lpstat); compiled, never run.
//   - Windows: compiled (GOOS=windows go vet) and its pure helpers unit-tested on Linux; it has
//     NOT been run on Windows. Before relying on it, print to a real printer and to
//     "Microsoft Print to PDF" on Windows 10 and 11 with SumatraPDF and with Acrobat Reader.
//
// # Behaviour
//
// Print checks its inputs before anything is queued: the printer must be one Printers lists
// (ErrPrinterNotFound), the document must start with "%PDF-" (ErrNotPDF), copies must be 1..50
// (ErrCopies). A printer that is paused (CUPS "disabled", Windows "paused") is refused with
// ErrPrinterPaused rather than queued: a permit held in a stopped queue tends to be printed
// again elsewhere and then come out twice when the printer is resumed. A CUPS queue that
// rejects jobs gives ErrNotAccepting. The title is cleaned (control characters removed, spaces
// collapsed, at most 100 characters) and used as the job name. The paper size is taken from
// the PDF's first /MediaBox when it is A3, A4, A5, Letter or Legal and sent as the media option
// (CUPS "-o media=A5"), so an A5 permit is printed on A5 paper where the printer has it, as
// a print dialog would; other sizes leave the printer's default.
//
// Every error is an *Error: errors.Is matches its kind (ErrPrinterNotFound, ...), and its
// message says in Vietnamese what happened and what to do, followed by the English.
//
// JobDone reports true once the job has left the queue: completed, or cancelled or aborted by
// someone at the printer; it reports (false, ErrPrinterPaused) while the job waits in a queue
// that has been paused since. On Windows the spooler job is found by a token in the document
// name; a job never seen in the queue is reported done after a grace period, because a fast
// printer can take it before the first look.
package printing
