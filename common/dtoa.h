/*
 * dtoa.h — shortest round-trip text of a double without printf: the digits
 * come from the Ryu algorithm (Ulf Adams, PLDI 2018), written here from the
 * paper's description, and are laid out the way eddy has always printed
 * doubles ("%.15g" style, widened to 16 or 17 significant digits only when
 * the value needs them).
 */
#ifndef EDDY_DTOA_H
#define EDDY_DTOA_H

#include <stddef.h>
#include <stdint.h>

/* Longest text eddy_dtoa writes, NUL included:
 * "-" + 17 digits + "." + "e-308" and change. */
#define EDDY_DTOA_MAX 32

/* Shortest decimal of a finite, nonzero |v|: v = ±digits * 10^exp10, with the
 * fewest digits that read back (round half to even) to exactly v, and of
 * those the one nearest v. Returns the number of digits (1..17). */
int eddy_dtoa_digits(double v, uint64_t *digits, int32_t *exp10);

/* Writes v into out (>= EDDY_DTOA_MAX bytes, NUL-terminated) and returns the
 * length. Finite values use the shortest round-trip digits in "%g" layout
 * with precision max(15, digits): "0.1", "1e+21", "-0", "1.5e-07",
 * "123456789012345.6". NaN is "NaN", infinities "Infinity"/"-Infinity". */
size_t eddy_dtoa(double v, char *out);

#endif
