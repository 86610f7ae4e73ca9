// Which int8 weight form is fastest on this CPU, by a documented rule (measured in onnxruntime-node 1.30
// on 2-core machines of this workplace, ResNet-50 QDQ vs fp32 in one process):
//   AMX-INT8      -> 'zero-point': MLAS's general int8 GEMM runs on AMX (3.6-3.8x fp32), the symmetric
//                    path does not (2.85-3.1x);
//   AVX512-VNNI or AVX-VNNI -> 'symmetric': MLAS's symmetric int8 convolution kernels use VNNI;
//   neither       -> 'symmetric', with a warning: without int8 dot-product instructions int8 is no faster.
// The flags come from /proc/cpuinfo (Linux); elsewhere nothing is known, and the warning says so.

import { readFileSync } from 'node:fs';
import type { Int8KernelForm } from './quantize-qdq.js';

export interface Int8KernelChoice {
  readonly form: Int8KernelForm;
  /** Why, for DESCRIBE MODEL, e.g. `symmetric int8 weights: the CPU has AVX512-VNNI (no AMX-INT8)`. */
  readonly reason: string;
  /** Set when int8 will not be faster than fp32 here. */
  readonly warning?: string;
}

/** The CPU's feature flags, or null when they cannot be read. */
export function cpuFlags(cpuinfoPath = '/proc/cpuinfo'): ReadonlySet<string> | null {
  let text: string;
  try {
    text = readFileSync(cpuinfoPath, 'utf8');
  } catch {
    return null;
  }
  const line = /^flags\s*:(.*)$/m.exec(text);
  return line === null ? null : new Set(line[1]!.trim().split(/\s+/));
}

export function chooseInt8KernelForm(flags: ReadonlySet<string> | null = cpuFlags()): Int8KernelChoice {
  if (flags?.has('amx_int8')) {
    return { form: 'zero-point', reason: "int8 weights with zero point -1: the CPU has AMX-INT8, and MLAS's general int8 GEMM runs on it" };
  }
  const vnni = ['avx512_vnni', 'avx_vnni'].filter((f) => flags?.has(f)).map((f) => (f === 'avx512_vnni' ? 'AVX512-VNNI' : 'AVX-VNNI'));
  if (vnni.length > 0) {
    return { form: 'symmetric', reason: `symmetric int8 weights: the CPU has ${vnni.join(' and ')} (no AMX-INT8), which MLAS's symmetric int8 kernels use` };
  }
  const known = flags === null ? 'the CPU features cannot be read here' : 'the CPU has neither AMX-INT8 nor AVX512-VNNI/AVX-VNNI';
  return {
    form: 'symmetric',
    reason: `symmetric int8 weights (${known})`,
    warning: `${known}: int8 will not run faster than fp32 on this machine; predict_resnet50 is as fast and exact`,
  };
}
