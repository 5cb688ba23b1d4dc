/**
 * The board layer.
 *
 *   loadBoard(name, { dir? }): Board          boards/<name>/board.json; unknown names list the boards there are
 *   listBoards(dir?): string[]                board names, sorted
 *   DEFAULT_BOARD = 'host'
 *   board.target(): TargetSpec                for compileModel(g, { target })
 *   board.build(projectDir, opts?)            make with the board's compiler; BuildError with the first compiler errors
 *   board.run?(projectDir, input, output, { executable, memcheck? })   host boards only
 *   board.flash?(projectDir, image, { port? })  hardware boards: load and start the image, find the console port (exit 4 when missing)
 */
export { loadBoard, listBoards, boardsDir, parseBoardSpec, parseSize, DEFAULT_BOARD } from './load.js';
export { BuildError } from './board.js';
export type * from './types.js';
